"""管理 (admin): users, teams and roles; CSV import; content validation; rule versions."""

import pandas as pd
import streamlit as st

from trainer.accounts import (
    PLATFORMS,
    ROLES,
    UNCHANGED,
    create_team,
    create_user,
    import_users,
    list_teams,
    list_users,
    reset_password,
    set_managed_teams,
    teams_of_manager,
    update_user,
)
from trainer.catalog import QUESTION_TYPES, check_catalog
from trainer.reports.rules import raise_rule, rule_versions
from trainer.ui.state import content_root, fmt_time, get_catalog, now
from trainer.ui.tables import acting, downloads, flash, require_manager, run, table

user = require_manager(admin=True)
catalog = get_catalog()
st.title("管理")
flash("admin")

SECTIONS = ["用户", "团队", "批量导入", "内容校验", "规则版本"]
section = st.segmented_control(
    "管理项目", SECTIONS, default="用户", key="admin_section", label_visibility="collapsed"
)
section = section or "用户"
NO_PLATFORM = ""
platform_names = {NO_PLATFORM: "不限", **PLATFORMS}


def done(message: str) -> None:
    st.session_state["admin_flash"] = message
    st.rerun()


def one_time_passwords(rows: list[tuple[str, str]], key: str) -> None:
    """Show new one-time passwords once, with a download; they are never shown again."""
    st.warning("请把一次性密码发给本人；离开本页后不会再显示。登录后系统会要求修改密码。")
    df = pd.DataFrame(rows, columns=["用户名", "一次性密码"])
    table(df, key=f"{key}_table", percent=())
    downloads("一次性密码", lambda: {"一次性密码": df}, key=f"{key}_dl")


# ---------------------------------------------------------------- 用户
if section == "用户":
    with acting(user) as (s, actor):
        users = list_users(session=s, actor=actor)
        teams = list_teams(session=s, actor=actor)
    team_names = [t.name for t, _, _ in teams]
    df = pd.DataFrame(
        [
            {
                "用户名": u.username,
                "姓名": u.display_name,
                "角色": ROLES.get(u.role, u.role),
                "团队": team or "—",
                "平台": PLATFORMS.get(u.platform or "", "—"),
                "状态": "停用"
                if not u.active
                else ("已锁定" if u.locked_until and u.locked_until > now() else "正常"),
                "需改密码": "是" if u.must_change_password else "",
                "创建时间": u.created_at,
                "user_id": u.id,
            }
            for u, team in users
        ]
    )
    st.caption(f"共 {len(df)} 个账号。")
    table(df, key="admin_users", percent=())

    if "admin_new_pw" in st.session_state:
        one_time_passwords(st.session_state.pop("admin_new_pw"), "admin_new_pw")

    with st.form("admin_add_form", clear_on_submit=True):
        st.markdown("**添加用户**")
        c1, c2, c3 = st.columns(3)
        username = c1.text_input(
            "用户名", key="admin_add_username", help="2–32 位：字母、数字、汉字、下划线、点、短横线"
        )
        name = c2.text_input("姓名", key="admin_add_name")
        password = c3.text_input(
            "初始密码（至少 8 位）",
            type="password",
            key="admin_add_password",
            help="留空则由系统生成一次性密码。无论哪种，本人首次登录后都要改密码。",
        )
        c4, c5, c6 = st.columns(3)
        team = c4.text_input(
            "团队", key="admin_add_team", placeholder="团队名称；不存在会自动新建，可留空"
        )
        role = c5.selectbox("角色", list(ROLES), format_func=ROLES.get, key="admin_add_role")
        platform = c6.selectbox(
            "店铺平台",
            list(platform_names),
            format_func=platform_names.get,
            key="admin_add_platform",
        )
        add = st.form_submit_button("添加用户", type="primary")
    if add:
        with acting(user, write=True) as (s, actor):
            made = run(
                lambda: create_user(
                    session=s,
                    actor=actor,
                    username=username,
                    display_name=name,
                    role=role,
                    team=team.strip() or None,
                    platform=platform or None,
                    password=password or None,
                    now=now(),
                )
            )
        if made is not None:
            new, one_time = made
            if one_time:
                st.session_state["admin_new_pw"] = [(new.username, one_time)]
            done(f"已添加账号 {new.username}（{ROLES[new.role]}），首次登录后需修改密码。")

    st.markdown("**修改账号**")
    people = {
        uid: (un, dn) for uid, un, dn in zip(df["user_id"], df["用户名"], df["姓名"], strict=True)
    }
    uid = st.selectbox(
        "账号",
        list(people),
        format_func=lambda u: f"{people[u][1]}（{people[u][0]}）",
        index=None,
        placeholder="选择要修改的账号…",
        key="admin_edit_pick",
    )
    if uid is not None:
        current = next(u for u, _ in users if u.id == uid)
        current_team = next((t for u, t in users if u.id == uid), None)
        with st.form(f"admin_edit_form_{uid}"):
            c1, c2 = st.columns(2)
            new_name = c1.text_input(
                "姓名", value=current.display_name, key=f"admin_edit_name_{uid}"
            )
            new_role = c2.selectbox(
                "角色",
                list(ROLES),
                index=list(ROLES).index(current.role),
                format_func=ROLES.get,
                key=f"admin_edit_role_{uid}",
            )
            c3, c4, c5 = st.columns(3)
            team_opts = [None, *team_names]
            new_team = c3.selectbox(
                "团队",
                team_opts,
                index=team_opts.index(current_team) if current_team in team_opts else 0,
                format_func=lambda t: t or "无",
                key=f"admin_edit_team_{uid}",
            )
            plat_opts = list(platform_names)
            new_platform = c4.selectbox(
                "店铺平台",
                plat_opts,
                index=plat_opts.index(current.platform or NO_PLATFORM),
                format_func=platform_names.get,
                key=f"admin_edit_platform_{uid}",
            )
            new_active = c5.selectbox(
                "状态",
                [True, False],
                index=0 if current.active else 1,
                format_func=lambda a: "正常" if a else "停用",
                key=f"admin_edit_active_{uid}",
            )
            save = st.form_submit_button("保存修改", type="primary")
        if save:
            with acting(user, write=True) as (s, actor):
                ok = run(
                    lambda: update_user(
                        session=s,
                        actor=actor,
                        user_id=uid,
                        now=now(),
                        display_name=new_name,
                        role=new_role,
                        team=new_team if new_team != current_team else UNCHANGED,
                        platform=new_platform or None,
                        active=new_active,
                    )
                )
            if ok is not None:
                done("已保存。")
        if st.button("重置密码（生成一次性密码，并解除锁定）", key=f"admin_reset_{uid}"):
            with acting(user, write=True) as (s, actor):
                pw = run(lambda: reset_password(session=s, actor=actor, user_id=uid))
            if pw is not None:
                st.session_state["admin_new_pw"] = [(people[uid][0], pw)]
                done("密码已重置。")

# ---------------------------------------------------------------- 团队
elif section == "团队":
    with acting(user) as (s, actor):
        teams = list_teams(session=s, actor=actor)
        managers = [(u, t) for u, t in list_users(session=s, actor=actor) if u.role == "manager"]
    df = pd.DataFrame(
        [
            {
                "团队": t.name,
                "平台": PLATFORMS.get(t.platform or "", "—"),
                "学员人数": n,
                "负责主管": "、".join(names) or "（无）",
                "创建时间": t.created_at,
            }
            for t, n, names in teams
        ]
    )
    if df.empty:
        st.caption("还没有团队。")
    else:
        table(df, key="admin_teams", percent=())
    with st.form("admin_team_form", clear_on_submit=True):
        st.markdown("**新建团队**")
        c1, c2 = st.columns(2)
        tname = c1.text_input("团队名称", key="admin_team_name")
        tplat = c2.selectbox(
            "店铺平台",
            list(platform_names),
            format_func=platform_names.get,
            key="admin_team_platform",
        )
        new_team = st.form_submit_button("新建团队", type="primary")
    if new_team:
        with acting(user, write=True) as (s, actor):
            made = run(
                lambda: create_team(
                    session=s, actor=actor, name=tname, now=now(), platform=tplat or None
                )
            )
        if made is not None:
            done("团队已新建。")

    st.markdown("**主管负责的团队**")
    if not managers:
        st.caption("还没有主管账号。先在「用户」里新建角色为主管的账号。")
    else:
        mgr = {u.id: u for u, _ in managers}
        mid = st.selectbox(
            "主管",
            list(mgr),
            format_func=lambda m: f"{mgr[m].display_name}（{mgr[m].username}）",
            key="admin_mgr_pick",
        )
        with acting(user) as (s, actor):
            mine = teams_of_manager(session=s, actor=actor, manager_id=mid)
        ids = {t.id: t.name for t, _, _ in teams}
        with st.form(f"admin_mgr_form_{mid}"):
            chosen = st.multiselect(
                "负责的团队（主管只能看到这些团队的数据）",
                list(ids),
                default=[t for t in mine if t in ids],
                format_func=ids.get,
                key=f"admin_mgr_teams_{mid}",
            )
            save = st.form_submit_button("保存", type="primary")
        if save:
            with acting(user, write=True) as (s, actor):
                ok = run(
                    lambda: set_managed_teams(
                        session=s, actor=actor, manager_id=mid, team_ids=chosen
                    )
                )
            if ok is not None:
                done("已保存主管负责的团队。")

# ---------------------------------------------------------------- 批量导入
elif section == "批量导入":
    st.write(
        "上传 CSV 批量新建账号。表头：用户名,姓名,团队,角色,平台（角色：学员/主管/管理员；平台：天猫/淘宝/京东，可空）。"
    )
    st.code(
        "用户名,姓名,团队,角色,平台\nxiaoli,小李,一组,学员,天猫\nwang_lead,王主管,一组,主管,天猫",
        language=None,
    )
    st.caption("任何一行有问题时整份文件都不导入，并列出每一行的问题；团队不存在时自动新建。")
    if "admin_import_pw" in st.session_state:
        one_time_passwords(st.session_state.pop("admin_import_pw"), "admin_import_pw")
    upload = st.file_uploader("选择 CSV 文件", type=["csv"], key="admin_import_file")
    if upload is not None and st.button("导入", type="primary", key="admin_import_go"):
        raw = upload.getvalue()
        text = None
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            st.error("无法识别文件编码，请另存为 UTF-8 编码的 CSV 再上传。")
        else:
            with acting(user, write=True) as (s, actor):
                report = run(lambda: import_users(session=s, actor=actor, text=text, now=now()))
            if report is not None and report.errors:
                st.error(f"文件有 {len(report.errors)} 处问题，没有导入任何账号：")
                st.code("\n".join(report.errors), language=None)
            elif report is not None:
                st.session_state["admin_import_pw"] = report.created
                done(f"已导入 {len(report.created)} 个账号。")

# ---------------------------------------------------------------- 内容校验
elif section == "内容校验":
    if st.button("重新校验", key="admin_validate"):
        st.cache_data.clear()

    @st.cache_data(ttl=300, show_spinner="正在校验课程和题库…")
    def validate(root: str):
        cat, errors = check_catalog(root)
        counts = {
            "模块": len(cat.modules),
            "课程": len(cat.lessons),
            "题目": len(cat.questions),
            "学习路径": len(cat.paths),
            "考试": len(cat.exams),
            "复训题组": len(cat.refreshers),
        }
        types = pd.Series([QUESTION_TYPES.get(q.type, q.type) for q in cat.questions.values()])
        return (
            counts,
            types.value_counts().rename_axis("题型").reset_index(name="题数"),
            [str(e) for e in errors],
            cat.version,
        )

    counts, types, errors, version = validate(content_root())
    if errors:
        st.error(f"内容校验发现 {len(errors)} 处问题（文件:行 字段：说明）：")
        st.code("\n".join(errors), language=None)
    else:
        st.success("课程和题库全部通过校验。")
    cols = st.columns(len(counts))
    for col, (k, v) in zip(cols, counts.items(), strict=True):
        col.metric(k, v)
    st.caption(
        f"内容版本 {version}（正在使用的版本 {catalog.version}）。修改内容文件后需重启应用才会生效。"
    )
    table(types, key="admin_types", percent=())

# ---------------------------------------------------------------- 规则版本
elif section == "规则版本":
    st.caption(
        "平台规则有变化时，先更新课程内容，再在这里把对应课程的规则版本升一级："
        "在旧版本上取得认证的学员，这门课的题会重新进入他们的复训。"
    )
    with acting(user) as (s, actor):
        versions = rule_versions(session=s, actor=actor, catalog=catalog, now=now())
    table(versions, key="admin_versions", percent=())
    lessons = {lid: les.title for lid, les in catalog.lessons.items()}
    with st.form("admin_raise_form", clear_on_submit=True):
        lid = st.selectbox(
            "课程",
            list(lessons),
            format_func=lambda x: f"{lessons[x]}（{x}）",
            key="admin_raise_lesson",
        )
        note = st.text_area(
            "变更说明（例如：2025 年 3 月起发票规则调整）", key="admin_raise_note", max_chars=500
        )
        go = st.form_submit_button("升级规则版本", type="primary")
    if go:
        if not note.strip():
            st.error("请写明这次规则变更的内容。")
        else:
            with acting(user, write=True) as (s, actor):
                res = run(
                    lambda: raise_rule(
                        session=s, actor=actor, catalog=catalog, lesson_id=lid, note=note, now=now()
                    )
                )
            if res is not None:
                row, affected = res
                st.cache_data.clear()
                done(
                    f"《{lessons[lid]}》已升到第 {row.version} 版（{fmt_time(row.at)}）；"
                    f"{affected} 位已认证学员的相关题目将重新进入复训。"
                )
