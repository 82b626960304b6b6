"""Optimistic locking: two people editing one record; the second save is refused."""


class StaleEdit(Exception):
    """Someone else saved the record after this form was opened."""


def save_with_version(instance, form_version):
    """Save ``instance`` unless the stored version moved on since ``form_version``.

    The check and the increment happen in one UPDATE … WHERE version = %s, so two
    simultaneous saves cannot both pass.
    """
    model = type(instance)
    if instance.pk is None:
        instance.save()
        return instance
    expected = instance.version if form_version is None else int(form_version)
    # _base_manager is a plain manager: the bump is not audited (the save below is). The
    # UPDATE also locks the row until the transaction ends, so a concurrent save waits and
    # then finds the version moved on.
    if not model._base_manager.filter(pk=instance.pk, version=expected).update(
        version=expected + 1
    ):
        raise StaleEdit
    instance.version = expected + 1
    instance.save()
    return instance
