"""The Django admin's site: Django's, plus the second factor (issue 13 part 4).

Only a session that passed a second factor (``two_factor.second_factor_satisfied``) reaches the admin, whatever the
role. There is one way in: the admin's login page sends to the platform's login page, then to its second-factor step
(verification, or enrolment for an account that has none), and back to the admin.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ptce_ami.accounts import two_factor
from ptce_ami.core import redirects


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.TWO_FACTOR_ADMIN_REQUIRED or two_factor.second_factor_satisfied(request)

    def login(self, request, extra_context=None):
        next_url = redirects.safe_next(request, reverse("admin:index", current_app=self.name))
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("accounts:login"))
        if self.has_permission(request):
            return redirect(next_url)
        if user.is_active and user.is_staff:
            return redirect(two_factor.next_step_url(user, next_url))
        raise PermissionDenied(_("L'administration est réservée aux agents de l'État."))
