using System.Net;
using System.Text.Json;

namespace NovaBrain.Tests.EndToEnd;

public static class ProblemAssertions
{
    /// <summary>Asserts the answer is problem details of <paramref name="status"/> whose type names <paramref name="reason"/>, and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(status, response.StatusCode, body);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.AreEqual($"urn:novabrain:problem:{reason}", problem.GetProperty("type").GetString(), body);
        return problem;
    }
}
