from django.urls import path

from .views import ratings, records, sites, topics

app_name = "showcase"

urlpatterns = [
    # Demonstration sites
    path("sites/", sites.SiteListView.as_view(), name="site_list"),
    path("sites/new/", sites.SiteCreateView.as_view(), name="site_create"),
    path("sites/<int:pk>/", sites.SiteDetailView.as_view(), name="site_detail"),
    path("sites/<int:pk>/edit/", sites.SiteUpdateView.as_view(), name="site_edit"),
    path("sites/<int:pk>/name/", sites.SiteNameView.as_view(), name="site_name"),
    path("sites/<int:pk>/review/", sites.SiteReviewView.as_view(), name="site_review"),
    path("sites/<int:pk>/revoke/", sites.SiteRevokeView.as_view(), name="site_revoke"),
    path("sites/<int:pk>/reincubate/", sites.SiteReincubateView.as_view(), name="site_reincubate"),
    path("sites/<int:pk>/board/", sites.SiteBoardView.as_view(), name="site_board"),
    path(
        "sites/<int:pk>/attachments/",
        sites.SiteAttachmentUpload.as_view(),
        name="site_attachment_upload",
    ),
    path(
        "checklist/<int:pk>/edit/", sites.ChecklistItemUpdateView.as_view(), name="checklist_edit"
    ),
    path(
        "checklist/<int:pk>/attachments/",
        sites.ChecklistAttachmentUpload.as_view(),
        name="checklist_attachment_upload",
    ),
    path("batches/", sites.BatchListView.as_view(), name="batch_list"),
    path("batches/new/", sites.BatchCreateView.as_view(), name="batch_create"),
    path("batches/<int:pk>/edit/", sites.BatchUpdateView.as_view(), name="batch_edit"),
    # 揭榜挂帅 topics
    path("topics/", topics.TopicListView.as_view(), name="topic_list"),
    path("topics/new/", topics.TopicCreateView.as_view(), name="topic_create"),
    path(
        "topics/progress.<slug:fmt>",
        topics.TopicProgressExportView.as_view(),
        name="topic_progress_export",
    ),
    path("topics/<int:pk>/", topics.TopicDetailView.as_view(), name="topic_detail"),
    path("topics/<int:pk>/edit/", topics.TopicUpdateView.as_view(), name="topic_edit"),
    path("topics/<int:pk>/publish/", topics.TopicPublishView.as_view(), name="topic_publish"),
    path("topics/<int:pk>/claim/", topics.TopicClaimView.as_view(), name="topic_claim"),
    path("topics/<int:pk>/start/", topics.TopicStartView.as_view(), name="topic_start"),
    path("topics/<int:pk>/accept/", topics.TopicAcceptanceView.as_view(), name="topic_accept"),
    path("topics/<int:pk>/close/", topics.TopicCloseView.as_view(), name="topic_close"),
    path("topics/<int:pk>/rework/", topics.TopicReworkView.as_view(), name="topic_rework"),
    path("topics/<int:pk>/tolerate/", topics.TopicTolerateView.as_view(), name="topic_tolerate"),
    path("topics/<int:pk>/progress/", topics.TopicProgressView.as_view(), name="topic_progress"),
    path(
        "topics/<int:pk>/milestones/new/",
        topics.MilestoneCreateView.as_view(),
        name="milestone_create",
    ),
    path(
        "topics/<int:pk>/attachments/",
        topics.TopicAttachmentUpload.as_view(),
        name="topic_attachment_upload",
    ),
    path("milestones/<int:pk>/edit/", topics.MilestoneUpdateView.as_view(), name="milestone_edit"),
    path(
        "milestones/<int:pk>/delete/",
        topics.MilestoneDeleteView.as_view(),
        name="milestone_delete",
    ),
    path(
        "milestones/<int:pk>/progress/",
        topics.MilestoneProgressView.as_view(),
        name="milestone_progress",
    ),
    # Task teams and the branches engaged
    path("teams/", records.TeamListView.as_view(), name="team_list"),
    path("teams/new/", records.TeamCreateView.as_view(), name="team_create"),
    path("teams/<int:pk>/", records.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", records.TeamUpdateView.as_view(), name="team_edit"),
    path("teams/<int:pk>/end/", records.TeamEndView.as_view(), name="team_end"),
    path("branches/", records.BranchListView.as_view(), name="branch_list"),
    # 传帮带
    path("mentorings/", records.MentoringListView.as_view(), name="mentoring_list"),
    path("mentorings/new/", records.MentoringCreateView.as_view(), name="mentoring_create"),
    path("mentorings/<int:pk>/", records.MentoringDetailView.as_view(), name="mentoring_detail"),
    path("mentorings/<int:pk>/edit/", records.MentoringUpdateView.as_view(), name="mentoring_edit"),
    path("mentorings/<int:pk>/end/", records.MentoringEndView.as_view(), name="mentoring_end"),
    path(
        "mentorings/<int:pk>/notes/new/",
        records.MentoringNoteCreateView.as_view(),
        name="mentoring_note_create",
    ),
    path("mentored/", records.MentoredListView.as_view(), name="mentored_list"),
    # Pioneer deeds
    path("deeds/", records.DeedListView.as_view(), name="deed_list"),
    path("deeds/new/", records.DeedCreateView.as_view(), name="deed_create"),
    path("deeds/<int:pk>/", records.DeedDetailView.as_view(), name="deed_detail"),
    path("deeds/<int:pk>/edit/", records.DeedUpdateView.as_view(), name="deed_edit"),
    path(
        "deeds/<int:pk>/recognitions/new/",
        records.DeedRecognitionCreateView.as_view(),
        name="deed_recognition_create",
    ),
    path(
        "deeds/<int:pk>/attachments/",
        records.DeedAttachmentUpload.as_view(),
        name="deed_attachment_upload",
    ),
    # Teaching cases
    path("cases/", records.CaseListView.as_view(), name="case_list"),
    path("cases/new/", records.CaseCreateView.as_view(), name="case_create"),
    path("cases/<int:pk>/", records.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/edit/", records.CaseUpdateView.as_view(), name="case_edit"),
    path("cases/<int:pk>/submit/", records.CaseSubmitView.as_view(), name="case_submit"),
    path("cases/<int:pk>/review/", records.CaseReviewView.as_view(), name="case_review"),
    path(
        "cases/<int:pk>/recognitions/new/",
        records.CaseRecognitionCreateView.as_view(),
        name="case_recognition_create",
    ),
    path(
        "cases/<int:pk>/attachments/",
        records.CaseAttachmentUpload.as_view(),
        name="case_attachment_upload",
    ),
    # Star ratings and rubrics
    path("ratings/", ratings.RatingListView.as_view(), name="rating_list"),
    path("ratings/new/", ratings.RatingCreateView.as_view(), name="rating_create"),
    path("ratings/<int:pk>/", ratings.RatingDetailView.as_view(), name="rating_detail"),
    path("ratings/<int:pk>/edit/", ratings.RatingUpdateView.as_view(), name="rating_edit"),
    path("ratings/<int:pk>/scores/", ratings.RatingScoreView.as_view(), name="rating_scores"),
    path(
        "ratings/<int:pk>/attachments/",
        ratings.RatingAttachmentUpload.as_view(),
        name="rating_attachment_upload",
    ),
    path("rubrics/", ratings.RubricListView.as_view(), name="rubric_list"),
    path("rubrics/<int:pk>/", ratings.RubricDetailView.as_view(), name="rubric_detail"),
    path("rubrics/<int:pk>/publish/", ratings.RubricPublishView.as_view(), name="rubric_publish"),
    path(
        "rubrics/<int:pk>/new-edition/",
        ratings.RubricNewEditionView.as_view(),
        name="rubric_new_edition",
    ),
]
