#requires -Version 7.2
<#
.SYNOPSIS
    Benchmarks Measure-FaceVerification against numpy + scikit-learn, and at 50,000 embeddings.

.DESCRIPTION
    1. Measures this machine's single-core SIMD rate: vector multiply+add (the instructions the kernel uses, since
       netstandard2.0 has no fused multiply-add) and, for reference, fused multiply-add.
    2. 10,000 synthetic embeddings of 512 floats from 1,000 identities, all pairs (5x10^7 comparisons), TAR@FAR
       1e-1 .. 1e-6, EER and AUC: Measure-FaceVerification against numpy (matrix product) plus scikit-learn
       roc_curve / roc_auc_score on the same embeddings. Each side runs in its own fresh process and reports its
       own time (the measurement, not the loading) and peak memory (the whole process).
    3. 50,000 embeddings (1.25x10^9 comparisons), same metrics: time, peak memory, and the fraction of the
       dot-product bound (single-core SIMD rate x cores) the scoring passes reached.

    Run it alone on the machine: other load distorts both sides.

.EXAMPLE
    dotnet pwsh ./bench/Measure-FaceVerification.Bench.ps1

.EXAMPLE
    dotnet pwsh ./bench/Measure-FaceVerification.Bench.ps1 -Images 2000 -Identities 200 -LargeImages 5000 -LargeIdentities 500
    A quick check at small scale.
#>
[CmdletBinding()]
param(
    [int] $Images = 10000,
    [int] $Identities = 1000,
    [int] $LargeImages = 50000,
    [int] $LargeIdentities = 5000,
    [int] $Dimension = 512,
    [double[]] $FarTarget = @(1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6),
    [switch] $SkipLarge,
    [switch] $SkipPython,
    [string] $WorkDirectory
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
if (-not $WorkDirectory) { $WorkDirectory = Join-Path $root 'out/bench' }
$null = New-Item -ItemType Directory -Path $WorkDirectory -Force
$manifest = Join-Path $root 'out/InsightFaceEval/InsightFaceEval.psd1'
& (Join-Path $root 'build.ps1') -Task Build | Out-Null
# Each measurement runs in a fresh pwsh, as build.ps1 runs the tests.
$pwsh = Join-Path $PSHOME ($(if ($env:OS -eq 'Windows_NT') { 'pwsh.exe' } else { 'pwsh' }))
$pwshArgs = @()
if (-not (Test-Path $pwsh)) { $pwsh = 'dotnet'; $pwshArgs = @((Join-Path $PSHOME 'pwsh.dll')) }

Add-Type -CompilerOptions '-optimize' -TypeDefinition @'
using System;
using System.Diagnostics;
using System.IO;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;

public static class BenchSupport
{
    /// <summary>
    /// Identity centres on the unit sphere; each image is its centre plus Gaussian noise whose size varies from image
    /// to image (some images are hard), so genuine scores spread out and the low-FAR targets are not all 1.
    /// </summary>
    public static float[] Generate(int images, int identities, int dimension, int seed, out int[] identity)
    {
        var rng = new Random(seed);
        var centres = new double[identities * dimension];
        for (int c = 0; c < identities; c++)
        {
            double norm = 0;
            for (int d = 0; d < dimension; d++) { double g = Gauss(rng); centres[c * dimension + d] = g; norm += g * g; }
            norm = Math.Sqrt(norm);
            for (int d = 0; d < dimension; d++) { centres[c * dimension + d] /= norm; }
        }

        var data = new float[(long)images * dimension];
        identity = new int[images];
        double baseSigma = Math.Sqrt(1.0 / dimension);
        for (int i = 0; i < images; i++)
        {
            int c = i % identities;
            identity[i] = c;
            double sigma = baseSigma * Math.Exp(0.45 * Gauss(rng));
            for (int d = 0; d < dimension; d++) { data[(long)i * dimension + d] = (float)(centres[c * dimension + d] + sigma * Gauss(rng)); }
        }

        return data;
    }

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>A float32 C-order .npy file (format version 1.0).</summary>
    public static void WriteNpy(string path, float[] data, int rows, int columns)
    {
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + columns + "), }";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using (var stream = File.Create(path))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
            writer.Write((ushort)header.Length);
            writer.Write(Encoding.ASCII.GetBytes(header));
            var bytes = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            writer.Write(bytes);
        }
    }

    /// <summary>
    /// Single-core FLOP/s of vector multiply+add as a dot product issues it (acc += x * y, ten independent
    /// accumulators, operands in registers, no memory traffic): the best of a few short runs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double MultiplyAddRate(double seconds)
    {
        var y = new Vector<float>(1e-7f);
        var x0 = new Vector<float>(0.5f); var x1 = new Vector<float>(0.25f); var x2 = new Vector<float>(0.125f); var x3 = new Vector<float>(0.0625f);
        double best = 0;
        for (int run = 0; run < 5; run++)
        {
            Vector<float> a0 = x0, a1 = x1, a2 = x2, a3 = x3, a4 = x0, a5 = x1, a6 = x2, a7 = x3, a8 = x0, a9 = x1;
            long iterations = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds / 5)
            {
                for (int k = 0; k < 100000; k++)
                {
                    a0 += x0 * y; a1 += x1 * y; a2 += x2 * y; a3 += x3 * y; a4 += x0 * y;
                    a5 += x1 * y; a6 += x2 * y; a7 += x3 * y; a8 += x0 * y; a9 += x1 * y;
                }
                iterations += 100000;
            }
            double rate = iterations * 10.0 * 2 * Vector<float>.Count / clock.Elapsed.TotalSeconds;
            if (rate > best) { best = rate; }
            Sink += (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9)[0];
        }
        return best;
    }

    /// <summary>The same with 256-bit fused multiply-add (0 without FMA): the hardware's own ceiling.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double FusedMultiplyAddRate(double seconds)
    {
        if (!Fma.IsSupported) { return 0; }
        var y = Vector256.Create(1e-7f);
        var x0 = Vector256.Create(0.5f); var x1 = Vector256.Create(0.25f); var x2 = Vector256.Create(0.125f); var x3 = Vector256.Create(0.0625f);
        double best = 0;
        for (int run = 0; run < 5; run++)
        {
            Vector256<float> a0 = x0, a1 = x1, a2 = x2, a3 = x3, a4 = x0, a5 = x1, a6 = x2, a7 = x3, a8 = x0, a9 = x1;
            long iterations = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds / 5)
            {
                for (int k = 0; k < 100000; k++)
                {
                    a0 = Fma.MultiplyAdd(x0, y, a0); a1 = Fma.MultiplyAdd(x1, y, a1); a2 = Fma.MultiplyAdd(x2, y, a2);
                    a3 = Fma.MultiplyAdd(x3, y, a3); a4 = Fma.MultiplyAdd(x0, y, a4); a5 = Fma.MultiplyAdd(x1, y, a5);
                    a6 = Fma.MultiplyAdd(x2, y, a6); a7 = Fma.MultiplyAdd(x3, y, a7); a8 = Fma.MultiplyAdd(x0, y, a8);
                    a9 = Fma.MultiplyAdd(x1, y, a9);
                }
                iterations += 100000;
            }
            double rate = iterations * 10.0 * 2 * 8 / clock.Elapsed.TotalSeconds;
            if (rate > best) { best = rate; }
            Sink += a0.GetElement(0) + a9.GetElement(0);
        }
        return best;
    }

    public static float Sink;
}
'@

function Write-Data {
    param([int] $Count, [int] $Ids, [string] $Name)
    $identity = $null
    $data = [BenchSupport]::Generate($Count, $Ids, $Dimension, 20240607, [ref] $identity)
    $npy = Join-Path $WorkDirectory "$Name.npy"
    $labels = Join-Path $WorkDirectory "$Name.labels.txt"
    [BenchSupport]::WriteNpy($npy, $data, $Count, $Dimension)
    [System.IO.File]::WriteAllLines($labels, [string[]]$identity)
    [pscustomobject]@{ Npy = $npy; Labels = $labels }
}

function Invoke-Ours {
    param($Data)
    $childArgs = $pwshArgs + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Invoke-VerificationRun.ps1'),
        '-Manifest', $manifest, '-Embeddings', $Data.Npy, '-Labels', $Data.Labels, '-FarTarget', (($FarTarget | ForEach-Object { $_.ToString('R', [cultureinfo]::InvariantCulture) }) -join ','))
    $line = & $pwsh @childArgs | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0) { throw "Measure-FaceVerification run failed (exit code $LASTEXITCODE)." }
    $line | ConvertFrom-Json
}

function Format-Rate([double] $flops) { '{0:F1} GFLOP/s' -f ($flops / 1e9) }

$cores = [Environment]::ProcessorCount
$cpu = if (Test-Path /proc/cpuinfo) { ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':\s*', 2)[1] } else { $env:PROCESSOR_IDENTIFIER }
Write-Host "Machine: $cpu, $cores logical cores, .NET $([Environment]::Version), Vector<float> $([System.Numerics.Vector[float]]::Count) lanes"

# 1. The bound.
$multiplyAdd = [BenchSupport]::MultiplyAddRate(2.0)
$fused = [BenchSupport]::FusedMultiplyAddRate(2.0)
Write-Host ("Single-core SIMD rate: multiply+add {0}; fused multiply-add {1}" -f (Format-Rate $multiplyAdd), $(if ($fused -gt 0) { Format-Rate $fused } else { 'not supported' }))
$bound = $multiplyAdd * $cores
Write-Host ("Dot-product bound (multiply+add rate x {0} cores): {1}" -f $cores, (Format-Rate $bound))
Write-Host ''

# 2. Against numpy + scikit-learn.
$pairs = [long]$Images * ($Images - 1) / 2
Write-Host ("{0:N0} embeddings x {1} floats, {2:N0} identities, all pairs: {3:N0} comparisons" -f $Images, $Dimension, $Identities, $pairs)
$small = Write-Data -Count $Images -Ids $Identities -Name "bench-$Images"
$ours = Invoke-Ours $small
$python = $null
if (-not $SkipPython) {
    $py = Get-Command /usr/bin/python3, python3 -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($py) { & $py.Source -c 'import numpy, sklearn' 2>$null }
    if ($py -and $LASTEXITCODE -eq 0) {
        $python = & $py.Source (Join-Path $PSScriptRoot 'numpy_sklearn_verification.py') $small.Npy $small.Labels @($FarTarget | ForEach-Object { $_.ToString('R', [cultureinfo]::InvariantCulture) }) | ConvertFrom-Json
    }
    else { Write-Host 'numpy + scikit-learn: skipped (python3 with numpy and scikit-learn not found).' }
}

Write-Host ('  Measure-FaceVerification : {0,8:F2} s  {1,8:N0} MB peak' -f $ours.seconds, $ours.peak_mb)
if ($python) {
    Write-Host ('  numpy + scikit-learn     : {0,8:F2} s  {1,8:N0} MB peak' -f $python.seconds, $python.peak_mb)
    Write-Host ('  Ratio (ours / theirs)    : {0,8:F3} x time  {1,6:F3} x peak memory   (targets: <= 0.5 and <= 0.25)' -f ($ours.seconds / $python.seconds), ($ours.peak_mb / $python.peak_mb))
    $tarDiff = ($FarTarget | ForEach-Object {
            $a = $ours.tar."$_"; $b = $python.tar."$_"
            if ($null -ne $a -and $null -ne $b) { [Math]::Abs($a - $b) }
        } | Measure-Object -Maximum).Maximum
    Write-Host ('  Agreement: |AUC diff| {0:E2}, |EER diff| {1:E2}, max |TAR@FAR diff| {2:E2} (numpy scores the same pairs with another float32 summation order)' -f [Math]::Abs($ours.auc - $python.auc), [Math]::Abs($ours.eer - $python.eer), $tarDiff)
}
Write-Host ('  Ours: AUC {0:F6}, EER {1:F6}, TAR@FAR: {2}' -f $ours.auc, $ours.eer, (($FarTarget | ForEach-Object { '{0:G1}={1}' -f $_, $(if ($null -ne $ours.tar."$_") { '{0:F4}' -f $ours.tar."$_" } else { 'insufficient' }) }) -join ', '))
$ours.notes | Where-Object { $_ -match 'pass \d+ scored' } | ForEach-Object { Write-Host "  $_" }
Write-Host ''

# 3. At 50,000.
if (-not $SkipLarge) {
    $largePairs = [long]$LargeImages * ($LargeImages - 1) / 2
    Write-Host ("{0:N0} embeddings x {1} floats, {2:N0} identities, all pairs: {3:N0} comparisons" -f $LargeImages, $Dimension, $LargeIdentities, $largePairs)
    $large = Write-Data -Count $LargeImages -Ids $LargeIdentities -Name "bench-$LargeImages"
    $big = Invoke-Ours $large
    Write-Host ('  Measure-FaceVerification : {0,8:F2} s  {1,8:N0} MB peak (limit 2,048 MB)' -f $big.seconds, $big.peak_mb)
    Write-Host ('  AUC {0:F6}, EER {1:F6}, TAR@FAR: {2}' -f $big.auc, $big.eer, (($FarTarget | ForEach-Object { '{0:G1}={1}' -f $_, $(if ($null -ne $big.tar."$_") { '{0:F4}' -f $big.tar."$_" } else { 'insufficient' }) }) -join ', '))
    $passes = @($big.notes | Where-Object { $_ -match 'pass (\d+) scored ([\d,]+) pairs in ([\d.]+) s' } | ForEach-Object {
            $null = $_ -match 'pass (\d+) scored ([\d,]+) pairs in ([\d.]+) s'
            [pscustomobject]@{ Pass = [int]$Matches[1]; Pairs = [long]($Matches[2] -replace ',', ''); Seconds = [double]$Matches[3] }
        })
    foreach ($p in $passes) {
        $rate = 2.0 * $Dimension * $p.Pairs / $p.Seconds
        Write-Host ('  Pass {0}: {1:N0} pairs in {2:F2} s = {3} = {4:P1} of the dot-product bound{5}' -f $p.Pass, $p.Pairs, $p.Seconds, (Format-Rate $rate), ($rate / $bound),
            $(if ($fused -gt 0) { ' ({0:P1} of the fused multiply-add peak x cores)' -f ($rate / ($fused * $cores)) } else { '' }))
    }
    $scored = ($passes | Measure-Object -Property Pairs -Sum).Sum
    $whole = 2.0 * $Dimension * $scored / $big.seconds
    Write-Host ('  Whole call: {0} over {1} pass(es) = {2:P1} of the dot-product bound' -f (Format-Rate $whole), $passes.Count, ($whole / $bound))
}
