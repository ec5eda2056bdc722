from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "sangkien.programmes"
    label = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        from sangkien.programmes.unit_followers import follow_targets
        from sangkien.units.reorganisation import register_follower

        register_follower(follow_targets)
