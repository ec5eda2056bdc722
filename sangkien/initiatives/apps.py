from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "sangkien.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from sangkien.initiatives.form_page import bump_version
        from sangkien.initiatives.unit_followers import follow_pending_reviews
        from sangkien.programmes.models import Field, Phase, Programme
        from sangkien.units.models import Unit
        from sangkien.units.reorganisation import register_follower

        register_follower(follow_pending_reviews)
        for model in (Unit, Field, Programme, Phase):  # what the kept form pages show (form_page)
            post_save.connect(bump_version, sender=model, dispatch_uid=f"form-page-{model.__name__}-saved")
            post_delete.connect(bump_version, sender=model, dispatch_uid=f"form-page-{model.__name__}-deleted")
