from django.apps import AppConfig


class KitDemoConfig(AppConfig):
    name = "tests.kitdemo"
    label = "kitdemo"
    verbose_name = "Kit demonstration part"
