class SessionExpiryMiddleware:
    """Sessions end after inactivity (settings.SESSION_SAVE_EVERY_REQUEST renews them on every request): 30 minutes
    for staff and regional partners, 2 hours for the others (User.session_inactivity_limit).

    Applied after the view, so that the request that logs in already sets it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            limit = user.session_inactivity_limit
            if request.session.get_expiry_age() != limit:
                request.session.set_expiry(limit)
        return response
