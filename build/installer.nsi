; The Windows installer, canvasser-setup.exe (NSIS 3, Unicode; built by build/windows.sh with Debian's
; makensis). A cadre double-clicks it: Chinese pages, no administrator rights asked (installs for the
; current user under %LOCALAPPDATA%\Programs), shortcuts in the Start menu and on the desktop with the
; app's Chinese name, an entry with its version in Programs and Features. `canvasser-setup.exe /S`
; installs silently (`/D=C:\folder` as the last argument picks the folder).
;
; The uninstaller removes exactly the files this installer put there (uninstall-files.nsh, listed at
; build time), the shortcuts and the Programs and Features entry. It never touches the user's data
; folder (%LOCALAPPDATA%\canvasser: workspaces, backups, keys, logs), nor a portable data\ folder, nor
; anything else the user put in the program folder.
;
; makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DNUMERIC=0.1.0.0 -DSRC=<dist\canvasser> -DOUT=<setup.exe>
;          -DFILES=<uninstall-files.nsh> -DICON=<canvasser.ico> build/installer.nsi

; a 64-bit installer (the app is 64-bit, PySide6's win_amd64 wheels; a Wine without 32-bit support runs
; it); -DX86 for NSIS's own Windows release, which ships only the x86 stubs
!ifdef X86
Unicode true
!else
Target amd64-unicode
!endif
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!define APP "医保参保入户动员"          ; the window's name (canvasser/ui/app.py: setApplicationDisplayName)
!define KEY "canvasser"                 ; the Programs and Features key, the program folder's name
!define UNINST "Software\Microsoft\Windows\CurrentVersion\Uninstall\${KEY}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "${APP}"
Caption "${APP} ${VERSION} 安装"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\${KEY}"
InstallDirRegKey HKCU "${UNINST}" "InstallLocation"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${NUMERIC}"
VIAddVersionKey /LANG=2052 "ProductName" "${APP}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "MIT License"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "将在这台电脑上安装“${APP}”${VERSION}。$\r$\n$\r$\n只为当前用户安装，不需要管理员权限。已有的工作区、备份和设置都保存在用户数据文件夹中，安装、升级和卸载都不会删除它们。$\r$\n$\r$\n点击“下一步”继续。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\canvasser.exe"
!define MUI_FINISHPAGE_RUN_TEXT "现在打开${APP}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Section "install"
    SetShellVarContext current
    SetOutPath "$INSTDIR"
    ; an upgrade: the previous version's own uninstaller first removes its files (its list, nothing else),
    ; so none of them is left behind beside the new ones
    ${If} ${FileExists} "$INSTDIR\uninstall.exe"
        ExecWait '"$INSTDIR\uninstall.exe" /S _?=$INSTDIR'
    ${EndIf}
    File /r "${SRC}\*.*"
    WriteUninstaller "$INSTDIR\uninstall.exe"

    CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\canvasser.exe" "" "$INSTDIR\canvasser.exe" 0
    CreateShortcut "$DESKTOP\${APP}.lnk" "$INSTDIR\canvasser.exe" "" "$INSTDIR\canvasser.exe" 0

    WriteRegStr HKCU "${UNINST}" "DisplayName" "${APP}"
    WriteRegStr HKCU "${UNINST}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKCU "${UNINST}" "Publisher" "canvasser"
    WriteRegStr HKCU "${UNINST}" "DisplayIcon" "$INSTDIR\canvasser.exe,0"
    WriteRegStr HKCU "${UNINST}" "InstallLocation" "$INSTDIR"
    WriteRegStr HKCU "${UNINST}" "UninstallString" '"$INSTDIR\uninstall.exe"'
    WriteRegStr HKCU "${UNINST}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
    WriteRegDWORD HKCU "${UNINST}" "NoModify" 1
    WriteRegDWORD HKCU "${UNINST}" "NoRepair" 1
    ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
    WriteRegDWORD HKCU "${UNINST}" "EstimatedSize" $0
SectionEnd

Section "uninstall"
    SetShellVarContext current
    Delete "$SMPROGRAMS\${APP}.lnk"
    Delete "$DESKTOP\${APP}.lnk"
    ; the installed files one by one, then their folders if empty: never RMDir /r, so whatever else is
    ; in the folder (a portable data\ folder, a user's file) stays
    !include "${FILES}"
    Delete "$INSTDIR\uninstall.exe"
    RMDir "$INSTDIR"
    DeleteRegKey HKCU "${UNINST}"
SectionEnd
