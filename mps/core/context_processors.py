from mps.core.overview import menu_for


def viewer(request):
    """The viewer, and the main menu built from every app's `overview.menu`."""
    current = getattr(request, "viewer", None)
    authenticated = current is not None and current.is_authenticated
    return {"viewer": current, "main_menu": menu_for(current) if authenticated else []}
