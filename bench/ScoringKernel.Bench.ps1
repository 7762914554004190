#requires -Version 7.2
<#
.SYNOPSIS
    Why the scoring kernel is hand-written: its blocked Vector<float> tiles against System.Numerics.Tensors'
    TensorPrimitives.Dot called once per pair, on one core, with the assemblies the module ships.

.DESCRIPTION
    Scores every pair of -Images random normalised embeddings three ways on one thread and prints pairs per second:
      1. SimilarityKernel.RunAllPairs: 64-row blocks, 4x2 register tiles (what Measure-FaceVerification runs);
      2. EmbeddingMatrix.Score per pair: the kernel's single-pair dot (what Compare-FaceEmbedding uses for one pair);
      3. TensorPrimitives.Dot per pair, on the same normalised rows.
    Then counts the pairs where TensorPrimitives.Dot's float32 result differs in any bit from the kernel's: a
    different summation order, which is why single pairs use the kernel's dot too (a pair must score the same
    alone as in a block, or ties and thresholds would move between Compare-FaceEmbedding and
    Measure-FaceVerification). Run it alone on the machine.

.EXAMPLE
    dotnet pwsh ./bench/ScoringKernel.Bench.ps1
#>
[CmdletBinding()]
param(
    [int] $Images = 3000,
    [int] $Dimension = 512,
    [int] $Repeats = 3
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$module = Join-Path $root 'out/InsightFaceEval'
if (-not (Test-Path (Join-Path $module 'InsightFaceEval.Core.dll'))) { & (Join-Path $root 'build.ps1') -Task Build | Out-Null }
$core = Join-Path $module 'InsightFaceEval.Core.dll'
$tensors = Join-Path $module 'System.Numerics.Tensors.dll'
Add-Type -Path $core, $tensors
Add-Type -CompilerOptions '-optimize' -ReferencedAssemblies $core, $tensors, 'System.Memory', 'System.Runtime', 'netstandard' -TypeDefinition @'
using System;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Threading;
using InsightFaceEval.Scoring;

public static class ScoringKernelBench
{
    private sealed class Sink : IScoreSink
    {
        public float Checksum;
        public void Tile(in ScoreTile tile, float[] scores) { Checksum += scores[0]; }
        public void Pairs(int chunkIndex, int start, int count, float[] scores) { }
    }

    public static EmbeddingMatrix Random(int n, int d)
    {
        var rng = new Random(1);
        var v = new float[n][];
        for (int i = 0; i < n; i++) { v[i] = new float[d]; for (int k = 0; k < d; k++) { v[i][k] = (float)(rng.NextDouble() * 2 - 1); } }
        return EmbeddingMatrix.FromVectors(v, d);
    }

    /// <summary>Seconds for all pairs: tiles, kernel dot per pair, TensorPrimitives.Dot per pair.</summary>
    public static double[] Time(EmbeddingMatrix m)
    {
        int n = m.Rows, d = m.Dimension, s = m.Stride;
        var data = m.Data;
        var sw = Stopwatch.StartNew();
        SimilarityKernel.RunAllPairs(m, new[] { new Sink() }, null, CancellationToken.None);
        double tiles = sw.Elapsed.TotalSeconds;
        sw.Restart();
        float sum = 0;
        for (int i = 0; i < n; i++) { for (int j = i + 1; j < n; j++) { sum += m.Score(i, j); } }
        double single = sw.Elapsed.TotalSeconds;
        sw.Restart();
        for (int i = 0; i < n; i++)
        {
            var a = new ReadOnlySpan<float>(data, i * s, d);
            for (int j = i + 1; j < n; j++) { sum += TensorPrimitives.Dot(a, new ReadOnlySpan<float>(data, j * s, d)); }
        }

        double tensors = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(sum);
        return new[] { tiles, single, tensors };
    }

    public static long[] BitDifferences(EmbeddingMatrix m, int n)
    {
        long differ = 0, total = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                total++;
                float t = TensorPrimitives.Dot(new ReadOnlySpan<float>(m.Data, i * m.Stride, m.Dimension), new ReadOnlySpan<float>(m.Data, j * m.Stride, m.Dimension));
                if (t != m.Score(i, j)) { differ++; }
            }
        }

        return new[] { differ, total };
    }
}
'@

$matrix = [ScoringKernelBench]::Random($Images, $Dimension)
$pairs = [double]$Images * ($Images - 1) / 2
Write-Host ("{0:N0} embeddings of {1} floats, {2:N0} pairs, one thread, Vector<float> of {3} lanes" -f $Images, $Dimension, $pairs, [System.Numerics.Vector[float]]::Count)
$best = @([double]::MaxValue, [double]::MaxValue, [double]::MaxValue)
for ($r = 0; $r -lt $Repeats; $r++) {
    $t = [ScoringKernelBench]::Time($matrix)
    for ($i = 0; $i -lt 3; $i++) { $best[$i] = [Math]::Min($best[$i], $t[$i]) }
}
$rate = { param($seconds) '{0,8:N1} M pairs/s' -f ($pairs / $seconds / 1e6) }
Write-Host ("Kernel, blocked tiles (Measure-FaceVerification): {0}" -f (& $rate $best[0]))
Write-Host ("Kernel dot, one pair at a time (single pairs):    {0}" -f (& $rate $best[1]))
Write-Host ("TensorPrimitives.Dot, one pair at a time:         {0}" -f (& $rate $best[2]))
Write-Host ("Tiles vs TensorPrimitives.Dot per pair: {0:F2}x faster (best of {1})" -f ($best[2] / $best[0]), $Repeats)
$d = [ScoringKernelBench]::BitDifferences($matrix, [Math]::Min($Images, 400))
Write-Host ("TensorPrimitives.Dot differs from the kernel's float32 score in {0:N0} of {1:N0} pairs ({2:P1})" -f $d[0], $d[1], ($d[0] / $d[1]))
