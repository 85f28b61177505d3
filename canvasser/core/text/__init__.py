"""Characters and identities: ID numbers, names, pinyin, the bundled font's glyphs, cell text."""
