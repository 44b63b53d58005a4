using System.ComponentModel.DataAnnotations;

namespace NovaBrain.Auth.SigningKeys;

public sealed class SigningKeyOptions
{
    public const string SectionName = "Auth:Keys";

    /// <summary>
    /// How old the newest key may grow before a start-up replaces it. A replaced key stays published (and able to
    /// decrypt) for this long again, or for the refresh-token lifetime when that is longer.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(30);
}
