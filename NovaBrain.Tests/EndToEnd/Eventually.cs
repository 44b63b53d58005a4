namespace NovaBrain.Tests.EndToEnd;

/// <summary>Waits for something the system does in the background, failing with a reason after a bound.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        T last;
        while (true)
        {
            last = await probe();
            if (done(last) || deadline.IsCancellationRequested)
            {
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        }
        Assert.IsTrue(done(last), $"Within {timeout.TotalSeconds:0} s, expected {what}; last seen: {last}");
        return last;
    }
}
