"""Demo users: an admin, and one staff member and one leader per street, plus a district leader.

The passwords are printed by seed_demo; they are for demos only.
"""

from areas.models import Area

from .models import User

PASSWORD = "demo-pass-2026"

PINYIN = {"胶南街道": "jiaonan", "红石崖街道": "hongshiya"}


def _user(command, username, full_name, role, area, **extra):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "role": role, "area": area, **extra},
    )
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    command.add_login(username, PASSWORD, User.Role(role).label, area.path_names)
    return user


def seed(command, scale):
    district = Area.objects.get(level=Area.Level.DISTRICT, name="西海岸新区")
    _user(
        command, "admin", "系统管理员", User.Role.ADMIN, district, is_staff=True, is_superuser=True
    )
    _user(command, "district_leader", "新区领导", User.Role.LEADER, district)
    for street in Area.objects.filter(parent=district, level=Area.Level.STREET).order_by("name"):
        slug = PINYIN.get(street.name, f"street{street.pk}")
        _user(command, f"{slug}_staff", f"{street.name}工作人员", User.Role.STAFF, street)
        _user(command, f"{slug}_leader", f"{street.name}领导", User.Role.LEADER, street)
