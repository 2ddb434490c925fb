"""`flask --app wsgi seed-demo`: load the demo neighbourhood and print its fixed logins."""
import click
from flask.cli import with_appcontext

from backend.demo import data
from backend.demo.seed import DemoPhonesTaken, database_is_empty, demo_community, schema_ready, seed_demo


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Load the demo only into a database with no community and no user yet (make run); "
                   "an existing demo still prints its logins.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo neighbourhood (idempotent) and print the demo logins."""
    if not schema_ready():
        raise click.ClickException("数据库还没有建表，请先运行 flask --app wsgi db upgrade。"
                                   " The database has no tables yet: run `flask --app wsgi db upgrade` first.")
    if if_empty and demo_community() is None and not database_is_empty():
        click.echo("数据库里已有数据，未加载演示数据。The database already holds data; the demo was not loaded.")
        return
    try:
        outcome = seed_demo()
    except DemoPhonesTaken as error:
        raise click.ClickException(f"{error.messages['zh-CN']} {error.messages['en']}") from None
    if outcome.created:
        counts = outcome.counts
        click.echo(f"演示社区已建好：{data.COMMUNITY['name']}，{counts['grids']} 个网格、{counts['buildings']} 幢楼、"
                   f"{counts['households']} 户、{counts['residents']} 位居民、{counts['volunteers']} 位志愿者。")
        click.echo("The demo neighbourhood has been loaded.")
    else:
        click.echo("演示社区已经在了，没有改动。The demo neighbourhood is already there; nothing changed.")
    click.echo(f"\n演示登录 Demo logins — 密码 password: {data.DEMO_PASSWORD}")
    for phone, who_zh, who_en in data.DEMO_LOGINS:
        click.echo(f"  {phone}  {who_zh} ({who_en})")
