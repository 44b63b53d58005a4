using TorchSharp;
using static TorchSharp.torch;

namespace NovaBrain.Tests.Training;

/// <summary>
/// TorchSharp's native library loads on this host (patched at build time where libstdc++ is older than GCC 13's, see
/// build/TorchSharp.OlderLibStdCxx.targets) and trains: a small network fits a known linear function.
/// </summary>
[TestClass]
public sealed class TorchSharpTests
{
    [TestMethod]
    public void TorchSharp_LoadsAndTrainsAnMlp()
    {
        torch.manual_seed(7);
        using var inputs = torch.randn(512, 3);
        using var weights = torch.tensor(new[] { 1.5f, -2f, 0.5f }).reshape(3, 1);
        using var targets = inputs.matmul(weights) + 0.25f;
        using var model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1));
        using var optimizer = optim.Adam(model.parameters(), lr: 0.05);

        var losses = new List<float>();
        for (var step = 0; step < 300; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(inputs), targets);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        Assert.IsGreaterThan(1f, losses[0], "an untrained network is far off");
        Assert.IsLessThan(0.01f, losses[^1], $"after training the loss is {losses[^1]}");
    }
}
