"""The dashboard of middleware_roles.py: "Overview" for everyone signed in, "Admin" for role admin."""

import streamlit as st

from core_shared_state import SignInAdmin
from middleware_roles import admin_page, navigation, user_roles


def overview() -> None:
    st.title("Roles")
    st.write(f"Signed in as {st.user.get('name')}; roles: {', '.join(sorted(user_roles())) or 'none'}.")


def admin() -> None:
    admin_page(SignInAdmin.of("middleware_roles"))


navigation(overview, admin)
