# Sample model and photos for tests, the demo and benchmarks. They come from npm packages
# (fetched with `npm pack`), are unpacked into the ignored .cache folder, and are never committed.

$script:TestAssetPackages = @(
    # MIT. Ultra-light face detector, 68-point landmarks and a 512-d ArcFace-style recogniser.
    @{ Name = 'faceplugin-face-recognition-js'; Version = '0.0.1'; Folder = 'faceplugin' }
    # MIT. Real photos with several faces each: demo/sample1.jpg .. sample6.jpg.
    @{ Name = '@vladmandic/face-api'; Version = '1.7.15'; Folder = 'face-api' }
)

function Expand-NpmPackage {
    <#
    .SYNOPSIS
        Fetches one npm package with `npm pack` (once) and unpacks it into .cache/assets/<Folder>; returns that folder.
    #>
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Version,
        [Parameter(Mandatory)] [string] $Folder,
        [Parameter(Mandatory)] [string] $CacheDirectory,
        [string] $Purpose = 'test assets'
    )
    $npmCache = Join-Path $CacheDirectory 'npm'
    $assets = Join-Path $CacheDirectory 'assets'
    $null = New-Item -ItemType Directory -Path $npmCache, $assets -Force
    $target = Join-Path $assets $Folder
    $marker = Join-Path $target '.complete'
    if (Test-Path $marker) { return $target }
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
        throw "npm is needed to fetch $Purpose ($Name@$Version). Install Node.js and npm, then run again."
    }
    $spec = "$Name@$Version"
    Write-Host "Fetching $spec"
    $tgzName = & npm pack $spec --pack-destination $npmCache --silent 2>$null | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0 -or -not $tgzName) { throw "npm pack $spec failed (exit code $LASTEXITCODE)." }
    $tgz = Join-Path $npmCache $tgzName.Trim()
    $staging = "$target.partial"
    if (Test-Path $staging) { Remove-Item $staging -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $staging -Force
    & tar -xzf $tgz -C $staging
    if ($LASTEXITCODE -ne 0) { throw "Unpacking $tgz failed." }
    if (Test-Path $target) { Remove-Item $target -Recurse -Force }
    Move-Item (Join-Path $staging 'package') $target
    Remove-Item $staging -Recurse -Force
    Set-Content -LiteralPath $marker -Value $spec -Encoding UTF8
    $target
}

function Get-MarkdownRenderer {
    <#
    .SYNOPSIS
        The browser build of a common Markdown renderer (marked, MIT; it passes raw HTML through, as many wikis
        do), fetched into the cache for the report tests. Returns the path of its UMD script.
    #>
    param([Parameter(Mandatory)] [string] $CacheDirectory)
    $folder = Expand-NpmPackage -Name 'marked' -Version '15.0.9' -Folder 'marked' -CacheDirectory $CacheDirectory -Purpose 'a Markdown renderer for the report tests'
    Join-Path $folder 'lib/marked.umd.js'
}

function Get-TestAssets {
    <#
    .SYNOPSIS
        Fetches the sample packages once and returns where their files are.
    #>
    param([Parameter(Mandatory)] [string] $CacheDirectory)

    $npmCache = Join-Path $CacheDirectory 'npm'
    $assets = Join-Path $CacheDirectory 'assets'
    $null = New-Item -ItemType Directory -Path $npmCache, $assets -Force
    foreach ($package in $script:TestAssetPackages) {
        $null = Expand-NpmPackage -Name $package.Name -Version $package.Version -Folder $package.Folder -CacheDirectory $CacheDirectory `
            -Purpose 'the sample model and photos'
    }

    [pscustomobject]@{
        ModelDirectory  = Join-Path $assets 'faceplugin/model'
        DetectorModel   = Join-Path $assets 'faceplugin/model/fr_detect.onnx'
        LandmarkModel   = Join-Path $assets 'faceplugin/model/fr_landmark.onnx'
        RecognizerModel = Join-Path $assets 'faceplugin/model/fr_feature.onnx'
        PhotoDirectory  = Join-Path $assets 'face-api/demo'
        Photos          = @(1..6 | ForEach-Object { Join-Path $assets "face-api/demo/sample$_.jpg" })
    }
}

function Install-DefaultModels {
    <#
    .SYNOPSIS
        Stages the default face detector and landmark model into the module's models folder, with their licence.
    .DESCRIPTION
        Find-Face and the local engine re-detect with these unless told otherwise. They come from the
        faceplugin test package (fetched into the cache when missing) and are copied, never committed.
    #>
    param(
        [Parameter(Mandatory)] [string] $CacheDirectory,
        [Parameter(Mandatory)] [string] $ModuleDirectory
    )

    $assets = Get-TestAssets -CacheDirectory $CacheDirectory
    $package = $script:TestAssetPackages | Where-Object Folder -EQ 'faceplugin'
    $models = Join-Path $ModuleDirectory 'models'
    $null = New-Item -ItemType Directory -Path $models -Force
    Copy-Item -LiteralPath $assets.DetectorModel, $assets.LandmarkModel -Destination $models
    $license = Get-Content -LiteralPath (Join-Path (Split-Path $assets.ModelDirectory) 'LICENSE') -Raw
    @(
        'Default models used by Find-Face and the local face engine'
        ''
        "fr_detect.onnx    face detector (Ultra-Light style anchor detector, input 1x3x240x320)"
        "fr_landmark.onnx  68-point landmark model (input 1x1x64x64 grey)"
        ''
        "Both are copied unchanged from the npm package $($package.Name)@$($package.Version) (folder model/),"
        'published under the MIT License reproduced below.'
        ''
        $license.Trim()
    ) -join [Environment]::NewLine | Set-Content -LiteralPath (Join-Path $models 'NOTICE.txt') -Encoding utf8
}
