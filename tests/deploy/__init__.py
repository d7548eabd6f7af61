"""Static checks of deploy/: the image, the compose file, the Kubernetes manifests (no runtime here)."""
