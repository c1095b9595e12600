"""The public pages (DESIGN §9): the call, the map and list of the laureate PTCE, a laureate's page, the open data.
Anonymous, read-only, and limited to what ptce_ami.site.opendata says is public."""
