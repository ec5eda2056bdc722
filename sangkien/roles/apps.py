from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "sangkien.roles"
    label = "roles"
    verbose_name = "Roles"
