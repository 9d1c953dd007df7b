from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Open sign-up exists for trainees only; staff join by invitation."""

    def is_open_for_signup(self, request):
        return True

    def get_client_ip(self, request):
        # allauth keys its rate limits on this; r2dr never reads client
        # addresses from headers an attacker controls, and stores none.
        return request.META.get("REMOTE_ADDR", "0.0.0.0")
