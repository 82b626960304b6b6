"""Small shared building blocks (forms, views) used by every domain app. Not an app."""
