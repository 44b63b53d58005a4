using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Security;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;
using NovaBrain.Training.Studies;

namespace NovaBrain.Training.Apis;

/// <summary>Hyperparameter studies: create one, follow its trials and its best trial, cancel it.</summary>
public static class StudiesApi
{
    public const int MaxPageSize = 500;

    public static RouteGroupBuilder MapStudiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{TemplatesApi.BasePath}/studies").WithTags("Studies");

        api.MapPost("/", CreateStudy)
            .WithName("CreateStudy")
            .WithSummary("Start a hyperparameter search")
            .WithDescription("The search space is validated against the template's schema (errors keyed searchSpace.<name>); the first trial's job is queued at once.")
            .RequirePermission(Permissions.TrainingSubmit);
        api.MapGet("/", ListStudies)
            .WithName("ListStudies")
            .WithSummary("Studies with their best trial so far, newest first")
            .WithDescription("?state= filters; paged with ?limit= (1 to 500) and ?before=<the createdAt of the last study seen>.")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{id}", GetStudy)
            .WithName("GetStudy")
            .WithSummary("A study: its settings, its best trial and every trial with its hyperparameters, state, job and values per epoch")
            .RequirePermission(Permissions.ModelsRead);
        api.MapPost("/{id}/cancel", CancelStudy)
            .WithName("CancelStudy")
            .WithSummary("Cancel one of your studies and its queued and running trials")
            .RequirePermission(Permissions.TrainingSubmit);

        return api;
    }

    public static async Task<Results<Created<StudyResponse>, ValidationProblem, ProblemHttpResult>> CreateStudy(
        CreateStudyRequest request, StudyManager studies, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await studies.CreateAsync(request, user.FindFirstValue(NovaBrainClaimTypes.Subject)!, cancellationToken);
        return result.Outcome switch
        {
            SubmitOutcome.Queued => TypedResults.Created($"{TemplatesApi.BasePath}/studies/{result.Study!.Id}", StudyResponse.From(result.Study)),
            SubmitOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!),
            SubmitOutcome.DatasetNotFound => Problems.DatasetNotFound(request.Dataset!),
            _ => Problems.QueueUnavailable(result.FailedJob!.Value),
        };
    }

    public static async Task<Results<Ok<List<StudySummaryResponse>>, ValidationProblem>> ListStudies(
        TrainingContext context, CancellationToken cancellationToken, string? state = null, int limit = 100, DateTimeOffset? before = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"The limit is from 1 to {MaxPageSize}."];
        }
        if (state is not null && !StudyStates.All.Contains(state))
        {
            errors["state"] = [$"The state is one of {string.Join(", ", StudyStates.All)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = context.Studies.AsNoTracking().Include(study => study.Trials).AsSplitQuery();
        if (state is not null)
        {
            query = query.Where(study => study.State == state);
        }
        if (before is not null)
        {
            query = query.Where(study => study.CreatedAt < before);
        }
        var studies = await query.OrderByDescending(study => study.CreatedAt).Take(limit).ToListAsync(cancellationToken);
        return TypedResults.Ok(studies.Select(StudySummaryResponse.From).ToList());
    }

    public static async Task<Results<Ok<StudyResponse>, ProblemHttpResult>> GetStudy(string id, TrainingContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var studyId))
        {
            return StudyProblems.InvalidStudyId(id);
        }
        return await context.Studies.AsNoTracking().Include(study => study.Trials).SingleOrDefaultAsync(study => study.Id == studyId, cancellationToken) is { } study
            ? TypedResults.Ok(StudyResponse.From(study))
            : StudyProblems.StudyNotFound(studyId);
    }

    public static async Task<Results<Ok<StudyResponse>, ProblemHttpResult>> CancelStudy(
        string id, StudyManager studies, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var studyId))
        {
            return StudyProblems.InvalidStudyId(id);
        }
        var (outcome, study) = await studies.CancelAsync(studyId, user.FindFirstValue(NovaBrainClaimTypes.Subject)!, cancellationToken);
        return outcome switch
        {
            CancelStudyOutcome.Cancelled => TypedResults.Ok(StudyResponse.From(study!)),
            CancelStudyOutcome.NotFound => StudyProblems.StudyNotFound(studyId),
            CancelStudyOutcome.NotYours => StudyProblems.NotYourStudy(studyId),
            _ => StudyProblems.StudyFinished(studyId, study!.State),
        };
    }

    private static class StudyProblems
    {
        public static ProblemHttpResult InvalidStudyId(string id) => NovaBrainProblems.Result(
            "invalid-study-id", "Not a study id", $"'{id}' is not a study id; a study id is a GUID.", StatusCodes.Status400BadRequest);

        public static ProblemHttpResult StudyNotFound(Guid id) => NovaBrainProblems.Result(
            "study-not-found", "No such study", $"There is no study {id}.", StatusCodes.Status404NotFound);

        public static ProblemHttpResult NotYourStudy(Guid id) => NovaBrainProblems.Result(
            "not-your-study", "Only the study's owner may cancel it", $"Study {id} was created by someone else.", StatusCodes.Status403Forbidden);

        public static ProblemHttpResult StudyFinished(Guid id, string state) => NovaBrainProblems.Result(
            "study-finished", "The study has finished", $"Study {id} is {state}; there is nothing to cancel.", StatusCodes.Status409Conflict);
    }
}
