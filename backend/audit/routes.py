"""The audit log of reads and changes of residents' sensitive data, for the community's admins."""
from flask.views import MethodView
from flask_login import current_user

from backend.accounts.permissions import requires_roles
from backend.audit import services
from backend.audit.schemas import AuditEntrySchema, AuditQuery
from backend.common.pagination import page_of
from backend.extensions import Blueprint

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="The audit log")


@blp.route("/audit")
class AuditLog(MethodView):
    @requires_roles("admin")
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, page_of(AuditEntrySchema))
    def get(self, query):
        """The community's audit log, newest first, filtered by resident, actor and time."""
        return services.list_entries(current_user.community_id, **query)
