"""Kept for stacks created before the providers moved to
``fabric_components.providers.crypto``.

Pulumi pickles each dynamic provider into state by module path, and the engine
unpickles the one in state for ``pulumi refresh`` (read) and for deletes: a
resource created before the move still names this module. Nothing else imports
it; the classes are the new ones."""

from fabric_components.providers.crypto import (
    CertificateAuthoritiesProvider,
    IdentityProvider,
    RandomSecretProvider,
)

__all__ = ["CertificateAuthoritiesProvider", "IdentityProvider", "RandomSecretProvider"]
