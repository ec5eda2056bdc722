from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "sangkien.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"

    def ready(self) -> None:
        from sangkien.initiatives.unit_followers import follow_pending_reviews
        from sangkien.units.reorganisation import register_follower

        register_follower(follow_pending_reviews)
