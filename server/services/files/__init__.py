"""Uploaded files: checks by magic bytes, images, documents, malware scanning, storage."""
