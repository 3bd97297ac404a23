"""The notification event catalog, its templates and rendering."""
