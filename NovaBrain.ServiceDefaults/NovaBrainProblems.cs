using Microsoft.AspNetCore.Http.HttpResults;

namespace Microsoft.AspNetCore.Http;

/// <summary>
/// Problem details whose <c>type</c> names the reason (<c>urn:novabrain:problem:{reason}</c>), so clients can tell one
/// refusal from another without parsing the text. Every service names its reasons this way.
/// </summary>
public static class NovaBrainProblems
{
    public const string TypePrefix = "urn:novabrain:problem:";

    public static string Type(string reason) => TypePrefix + reason;

    public static ProblemHttpResult Result(
        string reason, string title, string detail, int status, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(type: Type(reason), title: title, detail: detail, statusCode: status, extensions: extensions);
}
