from django.dispatch import Signal

# Sent inside the transaction of every state change, with dossier, action, from_state, to_state, by.
# Higher floors (reviews, the site layer) connect to it instead of being imported from here.
dossier_transitioned = Signal()
