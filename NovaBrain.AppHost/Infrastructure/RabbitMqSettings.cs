using System.Globalization;

namespace NovaBrain.AppHost.Infrastructure;

/// <summary>How NovaBrain's RabbitMQ servers are configured, whichever way they run.</summary>
public static class RabbitMqSettings
{
    /// <summary>
    /// How long a consumer may hold a delivery unacknowledged before the broker closes its channel. A training worker
    /// acknowledges its job only when the job is over, so RabbitMQ's default of 30 minutes would take long jobs away
    /// from their workers mid-run.
    /// </summary>
    public static readonly TimeSpan ConsumerTimeout = TimeSpan.FromDays(7);

    public static string ConsumerTimeoutMilliseconds => ((long)ConsumerTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
