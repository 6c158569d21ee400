"""Dynamic providers: each Fabric operation (and each generated secret) as a
resource type of its own, its provider, and the builder of its inputs. The
components and the fabric-tier tests build inputs with the same functions."""
