"""JavaMail-style properties: parser, catalog, effective plan, lint, presets."""
