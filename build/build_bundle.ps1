# Build the one-folder app dist\canvasser\ (Windows): a clean venv in build\.venv-bundle, the project and
# PyInstaller installed into it, then PyInstaller on pyinstaller.spec. In PowerShell, from anywhere:
#     powershell -ExecutionPolicy Bypass -File build\build_bundle.ps1
#     $env:PYTHON = "py -3.11"; powershell -ExecutionPolicy Bypass -File build\build_bundle.ps1   (pick the Python)
# Result: dist\canvasser\canvasser.exe (window, no console) and dist\canvasser\canvasser-cli.exe (command
# line), and dist\canvasser-windows.zip holding the same folder: copy either to the village laptop.
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
Set-Location (Split-Path -Parent $PSScriptRoot)

function Invoke-Checked([string]$exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe $($arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$pyCommand = if ($env:PYTHON) { $env:PYTHON } else { "py -3" }
if (-not $env:PYTHON -and -not (Get-Command py -ErrorAction SilentlyContinue)) { $pyCommand = "python" }
$pyParts = $pyCommand -split " "
$venv = "build\.venv-bundle"
$start = Get-Date

foreach ($old in @($venv, "build\pyi-work", "dist\canvasser", "dist\canvasser-windows.zip")) {
    if (Test-Path $old) { Remove-Item -Recurse -Force $old }
}
$pyArgs = @()
if ($pyParts.Length -gt 1) { $pyArgs = $pyParts[1..($pyParts.Length - 1)] }
Invoke-Checked $pyParts[0] ($pyArgs + @("-m", "venv", $venv))
$py = Join-Path $venv "Scripts\python.exe"
Invoke-Checked $py @("-m", "pip", "install", "-q", "--upgrade", "pip")
Invoke-Checked $py @("-m", "pip", "install", "-q", ".", "pyinstaller")
Invoke-Checked $py @("-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", "dist", "--workpath", "build\pyi-work", "pyinstaller.spec")

Compress-Archive -Path "dist\canvasser" -DestinationPath "dist\canvasser-windows.zip" -CompressionLevel Optimal
$size = (Get-ChildItem -Recurse -File "dist\canvasser" | Measure-Object -Property Length -Sum).Sum / 1MB
$zip = (Get-Item "dist\canvasser-windows.zip").Length / 1MB
$secs = [int]((Get-Date) - $start).TotalSeconds
Write-Host ("built dist\canvasser ({0:N0} MB, zip {1:N0} MB) in {2} s" -f $size, $zip, $secs)
