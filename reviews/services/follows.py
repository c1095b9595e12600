"""Following a dossier: a staff member's personal list of dossiers (the instruction list's "Suivis par moi" tab).
It writes nothing on the dossier, so every staff member who may see a dossier may follow it."""

from reviews.models import Follow


def follow(user, dossier):
    Follow.objects.get_or_create(user=user, dossier=dossier)


def unfollow(user, dossier):
    Follow.objects.filter(user=user, dossier=dossier).delete()


def is_following(user, dossier):
    return Follow.objects.filter(user=user, dossier=dossier).exists()
