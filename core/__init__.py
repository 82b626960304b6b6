"""The kit every part of the matrix plugs into: registries, scoped views, filters, tables,
dated facts, exports. See docs/ARCHITECTURE.md."""
