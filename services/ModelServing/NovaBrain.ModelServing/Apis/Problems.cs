using Microsoft.AspNetCore.Http.HttpResults;

namespace NovaBrain.ModelServing.Apis;

/// <summary>The deployment endpoints' refusals, each with a reason of its own (<see cref="NovaBrainProblems"/>).</summary>
internal static class Problems
{
    public static ProblemHttpResult InvalidDeployment(IReadOnlyList<string> problems) => NovaBrainProblems.Result(
        "invalid-deployment", "The deployment is not valid", string.Join(" ", problems), StatusCodes.Status400BadRequest,
        new Dictionary<string, object?> { ["problems"] = problems });

    public static ProblemHttpResult DeploymentExists(string name) => NovaBrainProblems.Result(
        "deployment-exists", "The deployment exists already",
        $"There is a deployment '{name}' already; update it with PUT, or delete it first.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult DeploymentNotFound(string name) => NovaBrainProblems.Result(
        "deployment-not-found", "No such deployment", $"There is no deployment '{name}'.", StatusCodes.Status404NotFound);

    public static ProblemHttpResult NoReadyCanary(string name) => NovaBrainProblems.Result(
        "no-ready-canary", "There is no ready canary",
        $"Deployment '{name}' has no canary that is loaded and serving; set one with PUT .../canary and wait until its state is Ready.", StatusCodes.Status409Conflict);

    public static ProblemHttpResult CanaryNotFound(string name) => NovaBrainProblems.Result(
        "canary-not-found", "No canary", $"Deployment '{name}' has no canary.", StatusCodes.Status404NotFound);
}
