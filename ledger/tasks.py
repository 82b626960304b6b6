"""The import's work, off the request, in the task worker (django-tasks with its database
backend: ``manage.py db_worker``; docs/DEPLOY.md runs it under systemd, ``python3 dev.py
run`` starts one beside the development server). The bodies are in ``services.py``."""

from django_tasks import task

from . import services


@task()
def read_upload(batch_id, job):
    """Read an uploaded sheet, plan it and store the preview."""
    return services.run_preview(batch_id, job)


@task()
def commit_batch(batch_id, job, ip=None):
    """Plan a previewed batch again and write it, all in one transaction."""
    return services.run_commit(batch_id, job, ip)
