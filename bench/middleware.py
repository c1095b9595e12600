"""X-Bench-Queries: the number of SQL queries the request made (the bench's settings only; DEBUG stays off)."""

from django.db import connection


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
            # A streamed body runs its queries later: the header counts those made before the first byte.
        response["X-Bench-Queries"] = str(count)
        return response
