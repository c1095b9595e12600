from applications.models.attachments import Attachment
from applications.models.budget import BudgetLine
from applications.models.dossiers import (
    Dossier,
    DossierInvitation,
    DossierTransition,
    DossierVersion,
    register_role_scope,
)
from applications.models.editions import Edition, PaymentStage, Phase, ReferenceSequence, ReportRequirement, Sector
from applications.models.exchanges import Annotation, Label, Message, MessageAttachment, MessageRead
from applications.models.instruction import (
    CorrectionRequest,
    EligibilityResult,
    EligibilityRun,
    EligibilityTrigger,
    StaffNotification,
)
from applications.models.laureates import LaureateRecord
from applications.models.members import MemberStructure
from applications.models.notices import Notice

__all__ = [
    "BudgetLine",
    "LaureateRecord",
    "PaymentStage",
    "ReportRequirement",
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
