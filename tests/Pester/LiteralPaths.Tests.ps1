# File names with wildcard characters, spaces and non-ASCII letters through the whole pipeline: a path that arrives
# from the pipeline is a file name, never a pattern (issue 11, item 7).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:repo = Get-TestRepositoryRoot
    . (Join-Path $script:repo 'build/Assets.ps1')
    $script:skip = try {
        $script:assets = Get-TestAssets -CacheDirectory (Join-Path $script:repo '.cache')
        if (@($script:assets.Photos).Count -lt 4) { 'the sample photos are not fetched (build.ps1 -Task Fetch)' } else { $null }
    }
    catch { "the sample photos cannot be fetched: $($_.Exception.Message)" }
    if ($script:skip) { return }

    # '*' and '?' cannot be in Windows file names; every other awkward character can.
    $windows = [System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Windows)
    # Non-ASCII letters from their code points, so the file reads the same in every PowerShell's default encoding.
    $zoe = 'Zo' + [char]0x00EB + ' [1]'
    $lukasz = [char]0x0141 + 'ukasz ' + [char]0x0104 + [char]0x0119
    $e = [string][char]0x00E9
    $n = [string][char]0x00F1
    $names = if ($windows) {
        @("$zoe/a[1].jpg", "$zoe/b ]x[ y.jpg", "$lukasz/c[a-z] $e.jpg", "$lukasz/d $n.jpg")
    }
    else {
        @("$zoe/a[1].jpg", "$zoe/b *star?.jpg", "$lukasz*/c[a-z] $($e)?.jpg", "$lukasz*/d $n [*].jpg")
    }
    $script:photoRoot = Join-Path $TestDrive 'photos'
    $script:photos = for ($i = 0; $i -lt $names.Count; $i++) {
        $target = Join-Path $script:photoRoot $names[$i]
        $null = New-Item -ItemType Directory -Path ([IO.Path]::GetDirectoryName($target)) -Force
        [IO.File]::Copy($script:assets.Photos[$i], $target, $true)
        $target
    }
    $script:ep = Start-TestEndpoint
}

AfterAll {
    if ($script:ep) { Stop-TestEndpoint $script:ep }
}

Describe 'Awkward file names through Find-Face | New-FaceCrop | Get-FaceEmbedding | Compare-FaceEmbedding | Measure-FaceVerification' {
    BeforeAll {
        if ($script:skip) { return }
        # The expected number of faces, photo by photo, each named with -LiteralPath.
        $script:expectedFaces = 0
        foreach ($p in $script:photos) { $script:expectedFaces += @(Find-Face -LiteralPath $p).Count }
        $script:crops = Join-Path $TestDrive 'crops'
        $script:store = Join-Path $TestDrive ('store [' + [char]0x00FC + ']')
        $script:errors = $null
        # Full path strings, piped by value: each is a file name.
        $script:embeddings = @($script:photos | Find-Face -ErrorVariable +errors |
                New-FaceCrop -OutputDirectory $script:crops -DatasetRoot $script:photoRoot -ErrorVariable +errors |
                Get-FaceEmbedding -Model dingo -ServerUrl $script:ep.Url -OutputDirectory $script:store -ErrorVariable +errors)
        $script:comparisons = @($script:embeddings | Compare-FaceEmbedding -Protocol AllPairs)
        $script:result = @($script:comparisons | Measure-FaceVerification -WarningAction SilentlyContinue | Where-Object { $_ -is [InsightFaceEval.VerificationResult] })
    }

    It 'finds, crops and embeds every face, with no error and nothing dropped' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $script:errors | Should -BeNullOrEmpty
        $script:expectedFaces | Should -BeGreaterThan 8
        $script:embeddings.Count | Should -Be $script:expectedFaces
        foreach ($e in $script:embeddings) {
            "$($e.Status)" | Should -Be 'Success'
            Test-Path -LiteralPath $e.Path | Should -BeTrue
            Test-Path -LiteralPath $e.EmbeddingPath | Should -BeTrue
        }
        @($script:embeddings.Identity | Sort-Object -Unique) | Should -Be @(($script:photos | ForEach-Object { Split-Path (Split-Path $_) -Leaf }) | Sort-Object -Unique)
    }

    It 'compares every pair and measures them' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $n = $script:expectedFaces
        $script:comparisons.Count | Should -Be ($n * ($n - 1) / 2)
        $script:result.Count | Should -Be 1
        $measured = $script:result[0].SystemLevel
        ($measured.GenuinePairs + $measured.ImpostorPairs) | Should -Be ($n * ($n - 1) / 2)
        $measured.GenuinePairs | Should -BeGreaterThan 0
    }

    It 'reads the store back from a piped path with brackets' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $imported = @($script:store | Import-FaceEmbedding)
        $imported.Count | Should -Be $script:expectedFaces
        @($script:embeddings.Path | ForEach-Object { [IO.Path]::GetFileName($_) } | Sort-Object) |
            Should -Be @($imported.Path | ForEach-Object { [IO.Path]::GetFileName($_) } | Sort-Object)
    }
}

Describe 'A Path property piped to Get-FaceEmbedding is a file name' {
    BeforeAll {
        if ($script:skip) { return }
        $script:work = Join-Path $TestDrive 'relative'
        $null = New-Item -ItemType Directory -Path (Join-Path $script:work 'x') -Force
        $crop = New-TestCropSet -Path (Join-Path $TestDrive 'generated') -Count 1
        Copy-Item -LiteralPath $crop.FullName -Destination (Join-Path $script:work 'x/a[1].png')
    }

    It 'embeds x/a[1].png given as [pscustomobject]@{ Path = ... }, relative to the current folder' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        Push-Location -LiteralPath $script:work
        try {
            $errors = $null
            $out = @([pscustomobject]@{ Path = 'x/a[1].png' } | Get-FaceEmbedding -Model dingo -ServerUrl $script:ep.Url -OutputDirectory 'store' -ErrorVariable errors)
        }
        finally { Pop-Location }
        $errors | Should -BeNullOrEmpty
        $out.Count | Should -Be 1
        $out[0].Path | Should -Be ([IO.Path]::Combine($script:work, 'x', 'a[1].png'))
        $out[0].RelativePath | Should -Be 'x/a[1].png'
    }

    It 'reports a piped file that does not exist instead of dropping it silently' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $errors = $null
        $missing = [IO.Path]::Combine($script:work, 'x', 'a[2].png')
        $out = @([pscustomobject]@{ Path = $missing } | Get-FaceEmbedding -Model dingo -ServerUrl $script:ep.Url -OutputDirectory (Join-Path $script:work 'store') -ErrorVariable errors -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingFileNotFound,*'
        $errors[0].TargetObject | Should -Be $missing
    }

    It 'still expands wildcards typed on the command line, and takes an existing bracketed name as it is' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $store = Join-Path $script:work 'store'
        @(Get-FaceEmbedding -Path (Join-Path $script:work 'x/*.png') -Model dingo -ServerUrl $script:ep.Url -OutputDirectory $store).Count | Should -Be 1
        @(Get-FaceEmbedding -Path (Join-Path $script:work 'x/a[1].png') -Model dingo -ServerUrl $script:ep.Url -OutputDirectory $store).Count | Should -Be 1
        @(Find-Face -Path (Join-Path $TestDrive 'photos/*/a*.jpg')).Count | Should -BeGreaterThan 0
    }
}
