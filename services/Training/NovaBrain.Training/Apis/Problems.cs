using Microsoft.AspNetCore.Http.HttpResults;

namespace NovaBrain.Training.Apis;

/// <summary>The training service's refusals, each with a reason of its own (<see cref="NovaBrainProblems"/>).</summary>
internal static class Problems
{
    public static ProblemHttpResult TemplateNotFound(string name, int? version) => NovaBrainProblems.Result(
        "template-not-found", "No such template",
        version is null ? $"There is no template '{name}'." : $"Template '{name}' has no version {version}.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult TemplateNameReserved(string name) => NovaBrainProblems.Result(
        "template-name-reserved", "The name belongs to a built-in template",
        $"'{name}' is a built-in template; base your template on it (basedOn) under a name of your own.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult NotYourTemplate(string name) => NovaBrainProblems.Result(
        "not-your-template", "Only the template's author adds versions",
        $"Template '{name}' was created by someone else; choose another name.", StatusCodes.Status403Forbidden);

    public static ProblemHttpResult InvalidJobId(string id) => NovaBrainProblems.Result(
        "invalid-job-id", "Not a job id", $"'{id}' is not a job id; a job id is a GUID.", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult JobNotFound(Guid id) => NovaBrainProblems.Result(
        "job-not-found", "No such job", $"There is no training job {id}.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult NotYourJob(Guid id) => NovaBrainProblems.Result(
        "not-your-job", "Only the job's owner may cancel it", $"Training job {id} was submitted by someone else.", StatusCodes.Status403Forbidden);

    public static ProblemHttpResult AlreadyFinished(Guid id, string state) => NovaBrainProblems.Result(
        "job-finished", "The job has finished", $"Training job {id} is {state}; there is nothing to cancel.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult DatasetNotFound(string digest) => NovaBrainProblems.Result(
        "dataset-not-found", "No such dataset",
        $"The parameter service stores no blob {digest}; upload the CSV or Parquet file first (PUT /api/params/v1/blobs/{{digest}}).", StatusCodes.Status400BadRequest);

    public static ProblemHttpResult QueueUnavailable(Guid id) => NovaBrainProblems.Result(
        "queue-unavailable", "The job queue is unavailable",
        $"Training job {id} could not be queued, so it was marked Failed; submit it again later.", StatusCodes.Status503ServiceUnavailable);
}
