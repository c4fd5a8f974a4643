from django.utils.cache import add_never_cache_headers


def never_cache(get_response):
    """Every page and download the app makes is about one person: no browser or proxy
    may keep a copy. Static files never come this far (WhiteNoise answers them first,
    with its far-future caching)."""

    def middleware(request):
        response = get_response(request)
        add_never_cache_headers(response)
        return response

    return middleware
