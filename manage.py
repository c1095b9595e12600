#!/usr/bin/env python
import os
import sys

# Commands that read the code and the database schema but never sign anything: a checkout runs them without
# SECRET_KEY (settings then use a throwaway key). The server and every other command still require it.
OFFLINE_COMMANDS = {"makemigrations", "check", "showmigrations", "sqlmigrate", "help"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce_ami.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ["PTCE_OFFLINE_COMMAND"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
