from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "sangkien.roles"
    label = "roles"
    verbose_name = "Roles"

    def ready(self) -> None:
        from sangkien.roles.unit_followers import follow_roles
        from sangkien.units.reorganisation import register_follower

        register_follower(follow_roles)
