"""The read API for staff tools (DESIGN §11, issue 12 part 6), built on django-ninja.

Site layer: it reads the three apps through their query functions and scoped querysets, never more than the staff
pages show. Personal tokens (``ptce_ami.accounts``) authenticate the calls and act as their owners.
"""
