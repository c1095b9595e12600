from applications.models.attachments import Attachment
from applications.models.dossiers import (
    Dossier,
    DossierInvitation,
    DossierTransition,
    DossierVersion,
    register_role_scope,
)
from applications.models.editions import Edition, Phase, ReferenceSequence, Sector
from applications.models.exchanges import Annotation, Label, Message, MessageAttachment, MessageRead
from applications.models.instruction import (
    CorrectionRequest,
    EligibilityResult,
    EligibilityRun,
    EligibilityTrigger,
    StaffNotification,
)
from applications.models.members import MemberStructure
from applications.models.notices import Notice

__all__ = [
    "Annotation",
    "Label",
    "Message",
    "MessageAttachment",
    "MessageRead",
    "Attachment",
    "CorrectionRequest",
    "EligibilityResult",
    "EligibilityRun",
    "EligibilityTrigger",
    "StaffNotification",
    "Dossier",
    "DossierInvitation",
    "DossierTransition",
    "DossierVersion",
    "Edition",
    "MemberStructure",
    "Notice",
    "Phase",
    "ReferenceSequence",
    "Sector",
    "register_role_scope",
]
