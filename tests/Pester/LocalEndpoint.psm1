# The staged local endpoint (out/LocalEndpoint) for tests, demos and benchmarks: start it on 127.0.0.1 with a free
# port and options, read what it saw, stop it. Also makes test crops (real PNG/JPEG files) with ImageSharp.

Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

function Get-TestDotnet {
    <# The dotnet host that runs the endpoint. #>
    $self = (Get-Process -Id $PID).Path
    if ($self -and [IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { return $self }
    $cmd = Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $cmd) { throw 'dotnet was not found on PATH; the local endpoint needs it.' }
    $cmd.Source
}

function Start-TestEndpoint {
    <#
    .SYNOPSIS
        Starts the staged local endpoint on 127.0.0.1 (free port) and returns its URLs and process.
    .DESCRIPTION
        Url is the extraction URL to hand to Get-FaceEmbedding: it carries a unique Token in its path and query, so
        a test can search every output for it. ServerUrl is the base URL for -Api InsightFaceServer (the Token as a
        path prefix; /v1/embeddings goes after it). BaseUrl is for the test-only routes (/_stats, /_health).
        The endpoint exits by itself when this PowerShell process ends.
    #>
    [CmdletBinding()]
    param(
        [int] $ServiceTimeMs = 0,
        [int] $MaxConcurrency = 0,
        [double] $RateLimit = 0,
        [int] $RateBurst = 1,
        [ValidateSet('seconds', 'date')] [string] $RetryAfter = 'seconds',
        # A literal Retry-After to send instead of the computed one.
        [string] $RetryAfterValue,
        [double] $FaultRate = 0,
        [string[]] $FaultKinds,
        [int] $FaultSeed = 1,
        [int] $SlowMs = 5000,
        [switch] $RequireToken,
        [ValidateSet('shortest', 'near-ties')] [string] $JsonNumbers = 'shortest',
        # Model name -> dimension (default: buffalo, dingo, eagle 512; eagle-2 1024).
        [System.Collections.IDictionary] $Models,
        # Requested model name -> the model_name to reply with.
        [System.Collections.IDictionary] $ReplyModelName,
        # InsightFace Server route (.../v1/embeddings): require this Bearer API key.
        [string] $ApiKey,
        # InsightFace Server route: the model that answers it (default: buffalo) and the Collection ids it knows (default: any).
        [string] $ServerModel,
        [string[]] $Collections,
        # Requests over this many bytes get 413.
        [long] $MaxRequestBytes = 0,
        [string[]] $ArgumentList = @()
    )

    $dll = Join-Path (Get-TestRepositoryRoot) 'out/LocalEndpoint/InsightFaceEval.LocalEndpoint.dll'
    if (-not (Test-Path $dll)) { throw "The local endpoint is not staged at '$dll'. Run: dotnet pwsh ./build.ps1 -Task Build" }
    $token = 'tok' + [guid]::NewGuid().ToString('N')
    $arguments = @($dll, '--urls', 'http://127.0.0.1:0', '--parent-pid', $PID,
        '--service-time-ms', $ServiceTimeMs, '--max-concurrency', $MaxConcurrency,
        '--rate-limit', $RateLimit, '--rate-burst', $RateBurst, '--retry-after', $RetryAfter,
        '--fault-rate', $FaultRate, '--fault-seed', $FaultSeed, '--slow-ms', $SlowMs, '--json-numbers', $JsonNumbers)
    if ($FaultKinds) { $arguments += @('--fault-kinds', ($FaultKinds -join ',')) }
    if ($RetryAfterValue) { $arguments += @('--retry-after-value', $RetryAfterValue) }
    if ($RequireToken) { $arguments += @('--require-token', $token) }
    if ($Models) { $arguments += @('--models', (($Models.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ',')) }
    if ($ApiKey) { $arguments += @('--api-key', $ApiKey) }
    if ($ServerModel) { $arguments += @('--server-model', $ServerModel) }
    if ($Collections) { $arguments += @('--collections', ($Collections -join ',')) }
    if ($MaxRequestBytes -gt 0) { $arguments += @('--max-request-bytes', $MaxRequestBytes) }
    if ($ReplyModelName) { $arguments += @('--reply-model-name', (($ReplyModelName.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ',')) }
    $arguments += $ArgumentList
    $arguments = @($arguments | ForEach-Object { [string]::Format([cultureinfo]::InvariantCulture, '{0}', $_) })

    $stdout = [IO.Path]::GetTempFileName()
    $stderr = [IO.Path]::GetTempFileName()
    $process = Start-Process -FilePath (Get-TestDotnet) -ArgumentList $arguments -RedirectStandardOutput $stdout -RedirectStandardError $stderr -PassThru -NoNewWindow
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    $base = $null
    while (-not $base) {
        $text = ''
        try {
            $stream = [IO.FileStream]::new($stdout, 'Open', 'Read', 'ReadWrite')
            try { $text = [IO.StreamReader]::new($stream).ReadToEnd() } finally { $stream.Dispose() }
        }
        catch [System.IO.IOException] { }
        # Only a whole line counts: the address may be half-written when we look.
        $match = [regex]::Match($text, 'Listening on (http://\S+?)/?\r?\n')
        if ($match.Success) { $base = $match.Groups[1].Value; break }
        if ($process.HasExited) {
            throw "The local endpoint exited with code $($process.ExitCode): $(Get-Content -LiteralPath $stderr -Raw)"
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            $process.Kill()
            throw 'The local endpoint did not report its address within 60 s.'
        }
        Start-Sleep -Milliseconds 50
    }

    [pscustomobject]@{
        PSTypeName = 'InsightFaceEval.TestEndpoint'
        BaseUrl    = $base
        Url        = "$base/v1/$token/extract?key=$token"
        # InsightFace Server's base URL (as behind a proxy: a token prefix, so a test can search outputs for it).
        ServerUrl  = "$base/$token/"
        Token      = $token
        Authority  = ([uri]$base).Authority
        Process    = $process
        StdOut     = $stdout
        StdErr     = $stderr
    }
}

function Get-TestEndpointStats {
    <# What the endpoint saw (GET /_stats) as nested hashtables; images are keyed by SHA-256. #>
    param([Parameter(Mandatory)] $Endpoint)
    ConvertTo-TestHashtable ((Invoke-WebRequest -Uri "$($Endpoint.BaseUrl)/_stats" -UseBasicParsing).Content | ConvertFrom-Json)
}

function ConvertTo-TestHashtable {
    <# ConvertFrom-Json's objects as nested hashtables (ConvertFrom-Json -AsHashtable is not in Windows PowerShell 5.1). #>
    param($Value)
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $table = @{}
        foreach ($property in $Value.PSObject.Properties) { $table[$property.Name] = ConvertTo-TestHashtable $property.Value }
        return $table
    }
    if ($Value -is [System.Collections.IList]) { return , @(foreach ($item in $Value) { ConvertTo-TestHashtable $item }) }
    $Value
}

function Reset-TestEndpointStats {
    param([Parameter(Mandatory)] $Endpoint)
    $null = Invoke-WebRequest -Uri "$($Endpoint.BaseUrl)/_stats" -Method Delete -UseBasicParsing
}

function Stop-TestEndpoint {
    param([Parameter(ValueFromPipeline)] $Endpoint)
    process {
        if (-not $Endpoint) { return }
        if (-not $Endpoint.Process.HasExited) {
            $Endpoint.Process.Kill()
            $null = $Endpoint.Process.WaitForExit(10000)
        }
        Remove-Item -LiteralPath $Endpoint.StdOut, $Endpoint.StdErr -ErrorAction SilentlyContinue
    }
}

function Initialize-TestImaging {
    if ('InsightFaceEval.Tests.TestCrops' -as [type]) { return }
    $moduleDir = Split-Path (Get-TestModuleManifest)
    # The module may already have loaded its own ImageSharp build (on PowerShell 7 the faster one from
    # coreclr/): compile against that one, since a second copy of the same identity cannot load.
    $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'SixLabors.ImageSharp' } | Select-Object -First 1
    $imageSharp = if ($loaded) { $loaded.Location } else { Join-Path $moduleDir 'SixLabors.ImageSharp.dll' }
    if (-not $loaded) { $null = [Reflection.Assembly]::LoadFrom($imageSharp) }
    $null = [Reflection.Assembly]::LoadFrom((Join-Path $moduleDir 'InsightFaceEval.Core.dll'))
    Add-Type -IgnoreWarnings -ReferencedAssemblies $imageSharp, 'System.Runtime', 'System.Collections', 'System.Memory', 'System.Threading.Tasks.Parallel', 'netstandard' -TypeDefinition @'
using System;
using System.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace InsightFaceEval.Tests
{
    public static class TestCrops
    {
        // Many crops at once, on every core: a test may need a thousand.
        public static void WriteMany(string[] paths, int[] indexes, string[] photos, bool[] jpeg, bool[] noFace, string marker, int size)
        {
            System.Threading.Tasks.Parallel.For(0, paths.Length, i =>
                Write(paths[i], indexes[i], photos.Length == 0 ? null : photos[indexes[i] % photos.Length], jpeg[i], noFace[i] ? marker : null, size));
        }

        // One crop: a tile of a real photo when one is given, else a seeded synthetic picture; every index differs.
        public static void Write(string path, int index, string photo, bool jpeg, string pngText, int size)
        {
            var random = new Random(index * 7919 + 17);
            Image<Rgb24> image;
            if (!string.IsNullOrEmpty(photo))
            {
                using (var source = Image.Load<Rgb24>(photo))
                {
                    var side = Math.Min(Math.Min(source.Width, source.Height), size > 0 ? size : 96 + random.Next(160));
                    var x = random.Next(Math.Max(1, source.Width - side));
                    var y = random.Next(Math.Max(1, source.Height - side));
                    image = source.Clone(c => c.Crop(new Rectangle(x, y, side, side)));
                }
            }
            else
            {
                var w = size > 0 ? size : 96 + random.Next(64);
                var h = size > 0 ? size : 112 + random.Next(64);
                image = new Image<Rgb24>(w, h);
                var r0 = random.Next(256); var g0 = random.Next(256); var b0 = random.Next(256);
                for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    image[x, y] = new Rgb24((byte)((r0 + x * 2 + random.Next(8)) & 255), (byte)((g0 + y * 2) & 255), (byte)((b0 + x + y) & 255));
                }
            }

            // Stamp the index into the first pixels so two crops of the same photo area still differ.
            image[0, 0] = new Rgb24((byte)(index & 255), (byte)((index >> 8) & 255), (byte)((index >> 16) & 255));
            using (image)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path));
                if (jpeg)
                {
                    image.SaveAsJpeg(path, new JpegEncoder { Quality = 85 });
                    return;
                }

                if (!string.IsNullOrEmpty(pngText))
                {
                    image.Metadata.GetPngMetadata().TextData.Add(new SixLabors.ImageSharp.Formats.Png.PngTextData("Comment", pngText, string.Empty, string.Empty));
                }

                image.SaveAsPng(path, new PngEncoder { CompressionLevel = PngCompressionLevel.BestSpeed });
            }
        }
    }
}
'@
}

function New-TestCropSet {
    <#
    .SYNOPSIS
        Writes face-crop-sized images in the identity-folder layout: <Path>/id<k>/<n>.png.
    .DESCRIPTION
        Tiles of the sample photos when they have been fetched (build.ps1 -Task Fetch), else seeded synthetic
        pictures. -NoFaceCount images carry the local endpoint's no-face marker in a PNG text chunk.
        Returns the files written.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [int] $Count,
        [int] $Identities = 10,
        [int] $NoFaceCount = 0,
        [int] $JpegCount = 0,
        [int] $FirstIndex = 0,
        # Side in pixels (default: 96 to 255, varying); small crops make big sets quick.
        [int] $Size = 0,
        # Use the fetched sample photos (tiles of real faces' surroundings) instead of synthetic pictures.
        [switch] $FromPhotos
    )
    Initialize-TestImaging
    $photoDir = Join-Path (Get-TestRepositoryRoot) '.cache/assets/face-api/demo'
    [string[]] $photos = @(if ($FromPhotos -and (Test-Path $photoDir)) { Get-ChildItem $photoDir -Filter 'sample*.jpg' | ForEach-Object FullName })
    $marker = [InsightFaceEval.Embedding.DeterministicFaceEmbedder]::NoFaceMarker
    $paths = [string[]]::new($Count)
    $indexes = [int[]]::new($Count)
    $jpeg = [bool[]]::new($Count)
    $noFace = [bool[]]::new($Count)
    for ($i = 0; $i -lt $Count; $i++) {
        $index = $FirstIndex + $i
        $identity = 'id{0:d3}' -f ($index % $Identities)
        $jpeg[$i] = $i -ge ($Count - $JpegCount)
        $noFace[$i] = $i -lt $NoFaceCount
        $paths[$i] = [IO.Path]::Combine($Path, $identity, ('{0:d5}.{1}' -f $index, $(if ($jpeg[$i]) { 'jpg' } else { 'png' })))
        $indexes[$i] = $index
    }
    [InsightFaceEval.Tests.TestCrops]::WriteMany($paths, $indexes, $photos, $jpeg, $noFace, $marker, $Size)
    foreach ($p in $paths) { [IO.FileInfo]::new($p) }
}

Export-ModuleMember -Function Start-TestEndpoint, Stop-TestEndpoint, Get-TestEndpointStats, Reset-TestEndpointStats, New-TestCropSet, Get-TestDotnet
