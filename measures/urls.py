from django.urls import path

from .views import definitions, downloads, figures, history, measure

app_name = "measures"

urlpatterns = [
    path("plans/<slug:slug>/measures/figures/", figures.figures, name="figures"),
    path("plans/<slug:slug>/measures/upload/", figures.upload_figures, name="upload"),
    path(
        "plans/<slug:slug>/measures/upload/confirm/",
        figures.upload_confirm,
        name="upload_confirm",
    ),
    path(
        "plans/<slug:slug>/measures/figures-template.csv",
        downloads.figures_template,
        name="figures_template",
    ),
    path(
        "plans/<slug:slug>/measures/scorecard.<str:fmt>",
        downloads.scorecard_download,
        name="scorecard_download",
    ),
    path("plans/<slug:slug>/measures/settings/", definitions.measure_settings, name="settings"),
    path(
        "plans/<slug:slug>/areas/<int:number>/measures/new/",
        definitions.measure_new,
        name="measure_new",
    ),
    path("measures/<int:pk>/", measure.measure, name="measure"),
    path("measures/<int:pk>/figures.csv", measure.measure_figures_csv, name="measure_figures_csv"),
    path("measures/<int:pk>/edit/", definitions.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/figures/", figures.figure, name="figure"),
    path("measures/<int:pk>/history/", history.measure_history, name="measure_history"),
]
