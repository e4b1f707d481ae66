"""What the widget calls over HTTP: its bundles and settings, and the page-leave beacon."""
