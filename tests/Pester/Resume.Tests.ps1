# A rerun of the whole pipeline after an interrupted New-FaceCrop: crops that already exist with exactly the bytes
# this run makes are passed on (reused), so every face of the sample photos reaches Get-FaceEmbedding and the store.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:root = Get-TestRepositoryRoot
    . (Join-Path $script:root 'build/Assets.ps1')
    $script:skip = try {
        $script:assets = Get-TestAssets -CacheDirectory (Join-Path $script:root '.cache')
        if (-not (Test-Path -LiteralPath $script:assets.DetectorModel)) { 'the sample models are not fetched (build.ps1 -Task Fetch)' } else { $null }
    }
    catch { "the sample models and photos cannot be fetched: $($_.Exception.Message)" }
    if ($script:skip) { return }
    $script:endpoint = Start-TestEndpoint
}

AfterAll {
    if ($script:endpoint) { Stop-TestEndpoint $script:endpoint }
}

Describe 'Rerunning Find-Face | New-FaceCrop | Get-FaceEmbedding after an interruption' {
    It 'passes the 16 crops the interrupted run wrote on as FaceCrops, so all 22 faces reach the store' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $crops = Join-Path $TestDrive 'crops'
        $store = Join-Path $TestDrive 'store'
        # The first run stops after 16 crops (Select-Object -First stops the pipeline, as Ctrl+C would).
        $interrupted = @($script:assets.Photos | Find-Face | New-FaceCrop -OutputDirectory $crops | Select-Object -First 16)
        $interrupted.Count | Should -Be 16
        $before = @{}
        Get-ChildItem -LiteralPath $crops -Recurse -Filter *.png | ForEach-Object { $before[$_.FullName] = $_.LastWriteTimeUtc }
        $before.Count | Should -Be 16

        $log = Join-Path $TestDrive 'verbose.txt'
        $embeddings = @($script:assets.Photos | Find-Face | New-FaceCrop -OutputDirectory $crops -ErrorVariable cropErrors -Verbose 4> $log |
                Get-FaceEmbedding -Model dingo -ServerUrl $script:endpoint.Url -OutputDirectory $store)

        $cropErrors.Count | Should -Be 0
        $embeddings.Count | Should -Be 22 -Because 'the six sample photos hold 22 clearly visible faces'
        @($embeddings | Where-Object { "$($_.Status)" -ne 'Success' }).Count | Should -Be 0
        @($embeddings.RelativePath | Sort-Object -Unique).Count | Should -Be 22
        @(Import-FaceEmbedding $store -Model dingo).Count | Should -Be 22
        # The reused crops are the interrupted run's files, untouched, each with a verbose note.
        @(Get-Content -LiteralPath $log | Where-Object { $_ -like '*already holds this crop*reused*' }).Count | Should -Be 16
        foreach ($path in $before.Keys) { (Get-Item -LiteralPath $path).LastWriteTimeUtc | Should -Be $before[$path] }
    }

    It 'still refuses to replace an existing file that is not the same crop, unless -Force' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $crops = Join-Path $TestDrive 'other'
        $faces = @($script:assets.Photos[0] | Find-Face)
        $first = @($faces | New-FaceCrop -OutputDirectory $crops)
        $first.Count | Should -BeGreaterThan 1
        # The same name made with another margin holds other bytes.
        $null = $faces[0] | New-FaceCrop -OutputDirectory (Join-Path $TestDrive 'wide') -ExpansionFactor 0.5 |
            ForEach-Object { Copy-Item -LiteralPath $_.Path -Destination $first[0].Path -Force }
        $kept = [IO.File]::ReadAllBytes($first[0].Path)

        $again = @($faces | New-FaceCrop -OutputDirectory $crops -ErrorVariable e -ErrorAction SilentlyContinue)
        $again.Count | Should -Be ($first.Count - 1)
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'NewFaceCropOutputExists,*'
        $e[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        "$($e[0])" | Should -BeLike '*is not this crop*-Force*'
        [IO.File]::ReadAllBytes($first[0].Path) | Should -Be $kept

        $forced = @($faces | New-FaceCrop -OutputDirectory $crops -Force)
        $forced.Count | Should -Be $first.Count
    }
}
